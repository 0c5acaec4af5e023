import type { Client, ClientChannel } from 'ssh2';
import type { ExecOptions, ExecResult, ShellCommand } from '../executor.js';
import { CommandTimeout } from '../errors/command-timeout.js';
import { HostUnreachable } from '../errors/host-unreachable.js';
import { sh } from '../quote.js';

/**
 * sshd runs a session's command as a session and process-group leader but ignores signal requests
 * from root sessions, and closing the channel does not stop a command without a tty. So every command
 * first reports its process group on stderr, and a timeout kills that whole group over a second channel.
 */
const PGID_PREFIX = '__marshal_pgid=';
const PGID_LINE = /^__marshal_pgid=(\d+)\n/;

/**
 * Runs one command on an open connection. A result is returned only when the server reported the
 * command's exit (status or signal); a connection that dies first rejects with HostUnreachable, so a
 * dead link is never mistaken for success. A timeout or an abort wins only over a command whose exit
 * has not arrived: both first let pending I/O drain (one turn of the event loop's poll phase), so a
 * process that was frozen past the timeout, with the exit status waiting in its socket, reports the
 * command as it really ended instead of as timed out (and does not go on to undo a change that was made).
 */
export function runCommand(
  hostName: string,
  client: Client,
  command: ShellCommand,
  options: ExecOptions & { timeoutMs: number; maxOutputBytes: number },
): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    let channel: ClientChannel | undefined;
    let exit: { code: number | null; signal: string | null } | undefined;
    const out = new Capture(options.maxOutputBytes);
    const err = new Capture(options.maxOutputBytes);
    let pgid: number | undefined;
    let stderrHead: Buffer | undefined = Buffer.alloc(0);

    const cleanup = (): void => {
      clearTimeout(timer);
      client.removeListener('close', onConnectionClosed);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(error);
    };
    const kill = (): void => {
      if (!channel) return;
      if (pgid !== undefined) {
        client.exec(sh`kill -KILL -- ${`-${pgid}`} 2>/dev/null`.text, (e, ch) => {
          if (!e) ch.on('close', () => {}).resume();
        });
      }
      channel.close();
    };
    const onConnectionClosed = (): void =>
      fail(
        new HostUnreachable(
          hostName,
          'the connection closed before the command reported its exit; its outcome is unknown',
        ),
      );
    const aborted = (): Error => {
      const reason: unknown = options.signal?.reason;
      return reason instanceof Error ? reason : new Error(`command on ${hostName} aborted`);
    };
    /** Ends the command unless its exit is (or, once pending I/O is read, turns out to be) known. */
    const endUnlessExited = (error: () => Error): void => {
      setImmediate(() => {
        if (settled) return;
        if (exit) return succeed();
        kill();
        fail(error());
      });
    };
    const onAbort = (): void => endUnlessExited(aborted);
    const timer = setTimeout(
      () => endUnlessExited(() => new CommandTimeout(hostName, options.timeoutMs)),
      options.timeoutMs,
    );
    const succeed = (): void => {
      if (settled || !exit) return;
      if (stderrHead?.length) err.push(stderrHead);
      settled = true;
      cleanup();
      resolve({
        host: hostName,
        exitCode: exit.code,
        signal: exit.signal,
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    };

    // Never start a command for an attempt that was already stopped.
    if (options.signal?.aborted) {
      clearTimeout(timer);
      return reject(aborted());
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.once('close', onConnectionClosed);

    try {
      client.exec(remoteText(command, options.stdin !== undefined), (error, stream) => {
        if (error)
          return fail(
            new HostUnreachable(hostName, `could not open a session: ${error.message}`, {
              cause: error,
              context: { started: false },
            }),
          );
        channel = stream;
        if (settled) return kill();
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => {
          if (stderrHead === undefined) return err.push(d);
          stderrHead = Buffer.concat([stderrHead, d]);
          const text = stderrHead.toString('latin1');
          const m = PGID_LINE.exec(text);
          if (m) {
            pgid = Number(m[1]);
            const rest = stderrHead.subarray(m[0].length);
            stderrHead = undefined;
            if (rest.length) err.push(rest);
          } else if (text.includes('\n') || stderrHead.length > 64) {
            err.push(stderrHead);
            stderrHead = undefined;
          }
        });
        stream.on('exit', (code: number | null, signal?: string) => {
          exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
        });
        stream.once('close', () => {
          if (!exit) return onConnectionClosed();
          succeed();
        });
        // Without stdin the command reads /dev/null (remoteText): no EOF packet to send, one write fewer.
        if (options.stdin !== undefined) stream.end(options.stdin);
      });
    } catch (error) {
      fail(
        new HostUnreachable(hostName, `could not start the command: ${(error as Error).message}`, {
          cause: error,
          context: { started: false },
        }),
      );
    }
  });
}

/**
 * What the server's shell runs: the process-group report, then the command. A command given no stdin
 * reads /dev/null, as it would after an EOF from us, without the packet (and socket write) that costs on
 * every command of every host. The newline before `}` ends a trailing comment in the command's text.
 */
export function remoteText(command: ShellCommand, hasStdin: boolean): string {
  const report = `echo ${PGID_PREFIX}$$ >&2; `;
  if (hasStdin || command.text.trim() === '') return `${report}${command.text}`;
  return `${report}{ ${command.text}\n} </dev/null`;
}

class Capture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part !== chunk) this.truncated = true;
    this.chunks.push(part);
    this.size += part.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
