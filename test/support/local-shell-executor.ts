import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import type {
  ExecOptions,
  ExecResult,
  HostExecutor,
  ShellCommand,
  UploadSpec,
} from '../../src/hosts/executor.js';
import type { Host } from '../../src/hosts/host.js';

/**
 * A HostExecutor that runs commands with this machine's /bin/sh, for tests of host steps before the SSH
 * fleet is wired in: the same command text, the same file system effects, no transport. (The end-to-end
 * tests run the same steps over real sshd hosts.)
 */
export class LocalShellExecutor implements HostExecutor {
  async exec(host: Host, command: ShellCommand, options: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command.text], {
        signal: options.signal,
        timeout: options.timeoutMs,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({
          host: host.name,
          exitCode: code,
          signal,
          stdout,
          stderr,
          truncated: false,
          durationMs: Date.now() - started,
        }),
      );
      // Commands that never read stdin close it early; that is not an error.
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin ?? '');
    });
  }

  async upload(_host: Host, file: UploadSpec): Promise<{ sha256: string }> {
    const temp = `${file.path}.upload-${process.pid}`;
    await writeFile(temp, file.content);
    await chmod(temp, file.mode ?? 0o644);
    await rename(temp, file.path);
    return { sha256: createHash('sha256').update(file.content).digest('hex') };
  }

  async download(_host: Host, path: string): Promise<Buffer> {
    return readFile(path);
  }

  async close(): Promise<void> {}
}
