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

/**
 * The algorithms for a connection carried inside another one (through a jump host): no
 * chacha20-poly1305. ssh2's JavaScript chacha20-poly1305, used when its native binding is not built
 * (Marshal does not run ssh2's install script: package.json `allowScripts`), keeps its nonce in buffers
 * shared by every connection. The inner connection writes each encrypted piece into the jump host's
 * channel at once, so the outer connection encrypts with the same buffers in the middle of the inner
 * packet, which then leaves with the wrong nonce: the target answers garbage ("Invalid ssh2 packet
 * type: 210") or never completes the handshake. AES-GCM keeps its state per connection. (The same bug,
 * found by others: Termix-SSH/Termix#1080.)
 */
export function nestedConnectionAlgorithms(): Algorithms {
  const all = modernAlgorithms();
  return { ...all, cipher: CIPHERS.filter((c) => c !== 'chacha20-poly1305@openssh.com') };
}
