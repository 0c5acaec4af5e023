import type { Algorithms } from 'ssh2';

/**
 * The only algorithms Marshal offers, passed to ssh2 explicitly so its defaults (which still allow
 * SHA-1 key exchange and, for some servers, CBC) never apply. No ssh-rsa (SHA-1 signatures), no
 * hmac-sha1, no diffie-hellman-group-exchange, no CBC.
 */
export const KEX = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
] as const;
export const HOST_KEYS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
] as const;
export const CIPHERS = [
  'chacha20-poly1305@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-gcm@openssh.com',
  'aes256-ctr',
  'aes192-ctr',
  'aes128-ctr',
] as const;
export const MACS = [
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
] as const;

export function modernAlgorithms(): Algorithms {
  return {
    kex: [...KEX],
    serverHostKey: [...HOST_KEYS],
    cipher: [...CIPHERS],
    hmac: [...MACS],
    compress: ['none'],
  };
}
