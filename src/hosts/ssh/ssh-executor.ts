import { readFileSync } from 'node:fs';
import type { Client, ClientChannel } from 'ssh2';
import type { Logger } from 'pino';
import type { ExecOptions, ExecResult, HostExecutor, ShellCommand, UploadSpec } from '../executor.js';
import type { Host } from '../host.js';
import { isShellCommand, sh } from '../quote.js';
import { ErrorCode } from '../../errors/error-code.js';
import { isMarshalError } from '../../errors/marshal-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import { HostUnreachable } from '../errors/host-unreachable.js';
import { TransferFailed } from '../errors/transfer-failed.js';
import { CommandTimeout } from '../errors/command-timeout.js';
import { createHash } from 'node:crypto';
import { connect, verifiedHostKey, type ConnectDeps } from './connect.js';
import { ConnectionPool, type Lease } from './connection-pool.js';
import { HostKeyPolicy } from './host-key-policy.js';
import { runCommand } from './run-command.js';
import { SshExecutorSettings, type SshExecutorSettingsInput } from './settings.js';
import { downloadFile, openSftp, uploadAtomic } from './sftp-transfer.js';

/**
 * One turn of the timers before a command or transfer starts. A process that was frozen (SIGSTOP,
 * a paused VM) wakes up reading I/O first, and the continuation that would start the next command runs
 * before any overdue timer; the engine's lease watchdog is such a timer. Waiting one timer turn lets it
 * abort the signal of an attempt whose lease ran out, so the command is refused instead of started.
 */
const dueTimers = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export interface SshExecutorDeps {
  logger: Logger;
  /** Finds the host a `Host.jump` names (the inventory's lookup). Needed only when jumps are used. */
  resolveHost?: (name: string) => Host | undefined;
  /** Told of every connection attempt's outcome (metrics: connections opened, handshakes failed). */
  onConnection?: (outcome: 'opened' | 'failed', host: Host, err?: unknown) => void;
}

/** HostExecutor over SSH (ssh2): pooled connections, verified host keys, typed failures. */
export class SshExecutor implements HostExecutor {
  readonly settings: SshExecutorSettings;
  private readonly pool: ConnectionPool;
  private readonly connectDeps: ConnectDeps;
  private readonly log: Logger;
  /** The known_hosts version each pooled connection's host key was last found trusted on. */
  private readonly trustedOn = new WeakMap<Client, string>();

  constructor(
    settings: SshExecutorSettingsInput,
    private readonly deps: SshExecutorDeps,
  ) {
    const parsed = SshExecutorSettings.safeParse(settings);
    if (!parsed.success)
      throw ValidationError.fromZod('SSH executor settings', parsed.error, { code: ErrorCode.InvalidConfig });
    this.settings = parsed.data;
    this.log = deps.logger.child({ component: 'ssh' });
    if (!this.settings.privateKeyPath && !this.settings.useAgent) {
      throw new ValidationError(
        'SSH executor settings',
        [{ path: 'privateKeyPath', message: 'give a private key file, or set useAgent with SSH_AUTH_SOCK' }],
        { code: ErrorCode.InvalidConfig },
      );
    }
    this.connectDeps = {
      settings: this.settings,
      hostKeys: new HostKeyPolicy(this.settings.knownHostsPath, this.settings.trustOnFirstUse),
      privateKey: this.settings.privateKeyPath ? readFileSync(this.settings.privateKeyPath) : undefined,
    };
    const key = this.connectDeps.privateKey;
    this.pool = new ConnectionPool({
      maxConnections: this.settings.maxConnections,
      maxChannelsPerConnection: this.settings.maxChannelsPerConnection,
      idleCloseMs: this.settings.idleCloseMs,
      identity: key ? createHash('sha256').update(key).digest('base64').slice(0, 16) : 'agent',
      stillTrusted: (host, client) => this.stillTrusted(host, client),
      open: (host) =>
        this.open(host).then(
          (opened) => {
            this.deps.onConnection?.('opened', host);
            return opened;
          },
          (err: unknown) => {
            this.deps.onConnection?.('failed', host, err);
            throw err;
          },
        ),
    });
  }

  /** Open connections right now (for metrics and tests). */
  get openConnections(): number {
    return this.pool.size;
  }

  async exec(host: Host, command: ShellCommand, options: ExecOptions = {}): Promise<ExecResult> {
    if (!isShellCommand(command)) {
      throw new ValidationError('command', [
        { path: '', message: 'build remote commands with the sh`…` tag from src/hosts/quote.ts' },
      ]);
    }
    let lease = await this.pool.acquire(host, options.signal);
    try {
      await dueTimers();
      const run = () =>
        runCommand(host.name, lease.client, command, {
          ...options,
          timeoutMs: options.timeoutMs ?? this.settings.commandTimeoutMs,
          maxOutputBytes: options.maxOutputBytes ?? this.settings.maxOutputBytes,
        });
      const result = await run().catch(async (err: unknown) => {
        // A pooled connection can die between two commands before its 'close' reaches us. A command that
        // never started on it is safe to start once more, on a new connection; one that may have run is not.
        if (!neverStarted(err) || options.signal?.aborted) throw err;
        this.log.info({ host: host.name }, 'pooled connection was dead; command started on a new one');
        lease.discard();
        lease = await this.pool.acquire(host, options.signal);
        return run();
      });
      this.log.debug(
        { host: host.name, exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs },
        'command finished',
      );
      return result;
    } catch (err) {
      this.log.warn(
        { host: host.name, err: isMarshalError(err) ? err.toJSON() : String(err) },
        'command failed',
      );
      throw err;
    } finally {
      lease.release();
    }
  }

  async upload(
    host: Host,
    file: UploadSpec,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<{ sha256: string }> {
    const ids: { uid?: number; gid?: number } = {};
    if (file.owner !== undefined)
      ids.uid = await this.lookupId(host, file.path, sh`id -u -- ${file.owner}`, 'owner', options.signal);
    if (file.group !== undefined)
      ids.gid = await this.lookupId(
        host,
        file.path,
        sh`getent group -- ${file.group} | cut -d: -f3`,
        'group',
        options.signal,
      );
    return this.transfer(host, file.path, options, (sftp) => uploadAtomic(sftp, file, ids));
  }

  download(
    host: Host,
    path: string,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<Buffer> {
    return this.transfer(host, path, options, (sftp) => downloadFile(sftp, path));
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async lookupId(
    host: Host,
    path: string,
    command: ShellCommand,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const r = await this.exec(host, command, { timeoutMs: 30_000, ...(signal ? { signal } : {}) });
    const id = Number(r.stdout.trim());
    if (r.exitCode !== 0 || r.stdout.trim() === '' || !Number.isInteger(id)) {
      throw new TransferFailed(host.name, path, `${what} does not exist on the host`, {
        context: { stderr: r.stderr.trim() },
      });
    }
    return id;
  }

  private async transfer<T>(
    host: Host,
    path: string,
    options: { signal?: AbortSignal; timeoutMs?: number },
    work: (sftp: Awaited<ReturnType<typeof openSftp>>) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.settings.commandTimeoutMs;
    const lease: Lease = await this.pool.acquire(host, options.signal);
    await dueTimers().catch(() => undefined);
    let sftp: Awaited<ReturnType<typeof openSftp>> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let onClose: (() => void) | undefined;
    try {
      // Never start a transfer for an attempt that was already stopped.
      options.signal?.throwIfAborted();
      const lost = new Promise<never>((_, reject) => {
        onClose = () =>
          reject(new HostUnreachable(host.name, 'the connection closed during a file transfer'));
        lease.client.once('close', onClose);
        timer = setTimeout(() => reject(new CommandTimeout(host.name, timeoutMs, { path })), timeoutMs);
        options.signal?.addEventListener(
          'abort',
          () => reject(new TransferFailed(host.name, path, 'aborted')),
          { once: true },
        );
      });
      lost.catch(() => {});
      sftp = await Promise.race([openSftp(lease.client), lost]);
      const s = sftp;
      return await Promise.race([work(s), lost]);
    } catch (err) {
      if (isMarshalError(err)) throw err;
      throw new TransferFailed(host.name, path, (err as Error).message, { cause: err });
    } finally {
      clearTimeout(timer);
      if (onClose) lease.client.removeListener('close', onClose);
      sftp?.end();
      lease.release();
    }
  }

  /**
   * A pooled connection's host key, checked again only when known_hosts changed since it was last found
   * trusted (a key revoked or replaced there stops reuse at once, not at the idle timeout).
   */
  private stillTrusted(host: Host, client: Client): Error | undefined {
    const version = this.connectDeps.hostKeys.version();
    if (this.trustedOn.get(client) === version) return undefined;
    const key = verifiedHostKey(client);
    const refusal = key ? this.connectDeps.hostKeys.check(host, key) : undefined;
    if (!refusal) this.trustedOn.set(client, version);
    return refusal;
  }

  private async open(host: Host): Promise<{ client: Client; onClose?: () => void }> {
    // Read before the handshake: a known_hosts change during it makes the first reuse look again.
    const version = this.connectDeps.hostKeys.version();
    const opened = await this.openUnchecked(host);
    this.trustedOn.set(opened.client, version);
    return opened;
  }

  private async openUnchecked(host: Host): Promise<{ client: Client; onClose?: () => void }> {
    if (!host.jump) return { client: await connect(host, this.connectDeps) };
    const jumpHost = this.deps.resolveHost?.(host.jump);
    if (!jumpHost) {
      throw new HostUnreachable(host.name, `its jump host ${host.jump} is not in the inventory`, {
        context: { jump: host.jump },
      });
    }
    const jump = await this.pool.acquire(jumpHost);
    try {
      const stream = await new Promise<ClientChannel>((resolve, reject) =>
        jump.client.forwardOut('127.0.0.1', 0, host.address, host.port, (err, ch) =>
          err ? reject(err) : resolve(ch),
        ),
      ).catch((err: Error) => {
        throw new HostUnreachable(
          host.name,
          `jump host ${jumpHost.name} could not reach it: ${err.message}`,
          {
            cause: err,
            context: { jump: jumpHost.name },
          },
        );
      });
      const client = await connect(host, this.connectDeps, stream);
      return { client, onClose: () => jump.release() };
    } catch (err) {
      jump.release();
      throw err;
    }
  }
}

function neverStarted(err: unknown): boolean {
  return err instanceof HostUnreachable && err.context?.['started'] === false;
}
