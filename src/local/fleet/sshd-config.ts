/**
 * sshd_config for a fleet host: public-key only, modern algorithms only, sized for hundreds of
 * parallel connections. Pure: the fleet writes the text to a file.
 */
export interface SshdConfigInput {
  listenAddress: string;
  port: number;
  hostKeyPath: string;
  authorizedKeysPath: string;
  /** Entries that replace (or add to) the defaults, e.g. legacy-only algorithms for a refusal test. */
  overrides?: Record<string, string>;
}

/** Where a fleet host's per-host hook directory sits on PATH (first, so it shadows system commands). */
export const HOOK_BIN_DIR = '/var/lib/marshal-host/bin';

export const MODERN_SSHD_ALGORITHMS: Record<string, string> = {
  KexAlgorithms:
    'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521',
  HostKeyAlgorithms: 'ssh-ed25519',
  PubkeyAcceptedAlgorithms: 'ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256',
  Ciphers:
    'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr',
  MACs: 'hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512',
};

/** What an old server offers: SHA-1 key exchange, CBC ciphers, hmac-sha1. Marshal must refuse it. */
export const LEGACY_ONLY_SSHD_ALGORITHMS: Record<string, string> = {
  KexAlgorithms: 'diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1',
  Ciphers: 'aes128-cbc,aes256-cbc',
  MACs: 'hmac-sha1',
};

export function renderSshdConfig(input: SshdConfigInput): string {
  const settings: Record<string, string> = {
    ListenAddress: `${input.listenAddress}:${input.port}`,
    HostKey: input.hostKeyPath,
    PidFile: 'none',
    AuthorizedKeysFile: input.authorizedKeysPath,
    // The fleet's files live in a temp directory whose modes sshd would otherwise refuse.
    StrictModes: 'no',
    PermitRootLogin: 'prohibit-password',
    PubkeyAuthentication: 'yes',
    AuthenticationMethods: 'publickey',
    PasswordAuthentication: 'no',
    KbdInteractiveAuthentication: 'no',
    HostbasedAuthentication: 'no',
    UsePAM: 'no',
    UseDNS: 'no',
    LogLevel: 'ERROR',
    MaxStartups: '1000:30:2000',
    MaxSessions: '100',
    MaxAuthTries: '3',
    LoginGraceTime: '30',
    AllowAgentForwarding: 'no',
    // Jump-host tests forward through a fleet host (direct-tcpip).
    AllowTcpForwarding: 'yes',
    X11Forwarding: 'no',
    PermitTunnel: 'no',
    PrintMotd: 'no',
    PrintLastLog: 'no',
    SetEnv: `PATH=${HOOK_BIN_DIR}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    Subsystem: 'sftp internal-sftp',
    ...MODERN_SSHD_ALGORITHMS,
    ...input.overrides,
  };
  return (
    Object.entries(settings)
      .map(([key, value]) => `${key} ${value}`)
      .join('\n') + '\n'
  );
}
