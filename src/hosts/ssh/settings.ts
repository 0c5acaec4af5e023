import { z } from 'zod';

/** How the SSH executor connects and how much it holds open. Parsed once, from config or code. */
export const SshExecutorSettings = z.object({
  knownHostsPath: z.string().min(1),
  /** A private key file (OpenSSH or PEM); its contents are never logged. */
  privateKeyPath: z.string().min(1).optional(),
  passphrase: z.string().optional(),
  /** Use ssh-agent at SSH_AUTH_SOCK (agent forwarding stays off regardless). */
  useAgent: z.boolean().default(false),
  /** Accept and append the key of a host that known_hosts does not name. Off unless asked for. */
  trustOnFirstUse: z.boolean().default(false),
  readyTimeoutMs: z.number().int().positive().default(10_000),
  keepaliveIntervalMs: z.number().int().positive().default(5_000),
  /** A host silent for interval × (countMax + 1) is declared dead. */
  keepaliveCountMax: z.number().int().min(1).default(3),
  commandTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  /** Open SSH connections across all hosts (jump connections included). */
  maxConnections: z.number().int().positive().default(256),
  /** Channels at once on one connection; OpenSSH's MaxSessions defaults to 10. */
  maxChannelsPerConnection: z.number().int().positive().max(100).default(8),
  idleCloseMs: z.number().int().positive().default(30_000),
  maxOutputBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
});
export type SshExecutorSettings = z.infer<typeof SshExecutorSettings>;
export type SshExecutorSettingsInput = z.input<typeof SshExecutorSettings>;
