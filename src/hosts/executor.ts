import type { Host } from './host.js';

/** Type-level brand: only `sh` (quote.ts) casts to ShellCommand; the executor also checks at run time. */
declare const shellCommandBrand: unique symbol;

/**
 * A command ready to send to a POSIX shell. Only the `sh` builder (quote.ts) makes one, so user input
 * can reach a remote shell only through the quote function.
 */
export interface ShellCommand {
  readonly kind: 'shell-command';
  /** The exact text the remote shell receives. */
  readonly text: string;
  readonly [shellCommandBrand]: true;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Sent to the command's standard input: file contents and secrets travel here, never in argv. */
  stdin?: string | Buffer;
  signal?: AbortSignal;
  /** Cap on captured stdout/stderr each; the rest is dropped and `truncated` set. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  host: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  durationMs: number;
}

export interface UploadSpec {
  path: string;
  content: string | Buffer;
  /** e.g. 0o644 */
  mode?: number;
  owner?: string;
  group?: string;
}

/** What workflows use to work on hosts. The SSH implementation lives in `ssh/`; tests use real sshd. */
export interface HostExecutor {
  exec(host: Host, command: ShellCommand, options?: ExecOptions): Promise<ExecResult>;
  /** Atomic replace: written to a temporary file beside `path`, then renamed over it. Returns the sha256. */
  upload(
    host: Host,
    file: UploadSpec,
    options?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<{ sha256: string }>;
  download(host: Host, path: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Buffer>;
  close(): Promise<void>;
}
