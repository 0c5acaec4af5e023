import { setTimeout as sleep } from 'node:timers/promises';
import type { Bundle } from '../../src/bundles/bundle.js';
import { HostStepError } from '../../src/bundles/errors/host-step-error.js';
import type { BundleCommand } from '../../src/bundles/manifest.js';
import {
  backupCommand,
  bundleCommand,
  fileContentCommand,
  fileStateCommand,
  installCommand,
  parseFileContent,
  parseFileState,
  removeCommand,
  restoreCommand,
  type RemoteFileState,
} from '../../src/bundles/remote-commands.js';
import { sidePaths } from '../../src/bundles/target-path.js';
import {
  ErrorCode,
  type ExecResult,
  type HostExecutor,
  type ShellCommand,
  type Host,
} from '../../src/authoring/index.js';

const MAX_INLINE_READ_BYTES = 1024 * 1024;

/**
 * One bundle's file on one host, and the moves a push makes on it. Every command is built by
 * `remote-commands.ts` (quoted); every failure names the host and the step.
 */
export class RemoteConfigFile {
  readonly target: string;
  readonly paths: ReturnType<typeof sidePaths>;

  constructor(
    private readonly executor: HostExecutor,
    private readonly host: Host,
    private readonly bundle: Bundle,
    runId: string,
    private readonly signal: AbortSignal,
  ) {
    this.target = bundle.manifest.file.target;
    this.paths = sidePaths(this.target, runId);
  }

  async state(path = this.target): Promise<RemoteFileState> {
    const result = await this.run(
      fileStateCommand(path),
      'read the checksum of',
      ErrorCode.CommandFailed,
      30,
    );
    const state = parseFileState(result.stdout);
    if (!state) throw this.notAChecksum(path, result);
    return state;
  }

  /**
   * Checksum and text together, in one round trip where the text fits in the captured output (config
   * files do); a larger file's text comes over SFTP.
   */
  async read(path = this.target): Promise<{ state: RemoteFileState; text: string | undefined }> {
    const result = await this.executor.exec(this.host, fileContentCommand(path), {
      signal: this.signal,
      timeoutMs: 30_000,
      maxOutputBytes: MAX_INLINE_READ_BYTES,
    });
    if (result.exitCode !== 0)
      throw new HostStepError(
        ErrorCode.CommandFailed,
        this.host.name,
        `could not read ${path} (exit ${result.exitCode ?? result.signal})`,
        { result },
      );
    const read = parseFileContent(result.stdout);
    if (!read) throw this.notAChecksum(path, result);
    if (result.truncated && read.state.exists) return { state: read.state, text: await this.text(path) };
    return read;
  }

  private notAChecksum(path: string, result: ExecResult): HostStepError {
    return new HostStepError(
      ErrorCode.UnexpectedHostOutput,
      this.host.name,
      `sha256sum of ${path} printed something else than a checksum`,
      { result },
    );
  }

  async text(path: string): Promise<string> {
    return (
      await this.executor.download(this.host, path, { signal: this.signal, timeoutMs: 30_000 })
    ).toString('utf8');
  }

  async backUp(): Promise<void> {
    await this.run(
      backupCommand(this.target, this.paths.backup),
      `back up ${this.target} to ${this.paths.backup}`,
      ErrorCode.CommandFailed,
      30,
    );
  }

  /** The new file beside the target, with its final mode and owner, not yet in place. */
  async stage(): Promise<void> {
    const { mode, owner, group } = this.bundle.manifest.file;
    const { sha256 } = await this.executor.upload(
      this.host,
      {
        path: this.paths.candidate,
        content: this.bundle.content,
        mode,
        ...(owner ? { owner } : {}),
        ...(group ? { group } : {}),
      },
      { signal: this.signal, timeoutMs: 60_000 },
    );
    if (sha256 !== this.bundle.sha256)
      throw new HostStepError(
        ErrorCode.ChecksumMismatch,
        this.host.name,
        `uploaded ${this.paths.candidate} has sha256 ${sha256}, expected ${this.bundle.sha256}`,
      );
  }

  /** The application's own check of the staged file; refusal leaves the installed file untouched. */
  async checkStaged(): Promise<void> {
    const check = this.bundle.manifest.commands.check;
    if (!check) return;
    const result = await this.command(check, this.paths.candidate);
    if (result.exitCode !== 0) {
      await this.removeSideFiles([this.paths.candidate]);
      throw new HostStepError(
        ErrorCode.ConfigCheckFailed,
        this.host.name,
        `the application's check refused the new ${this.target} (exit ${result.exitCode ?? result.signal}); nothing was replaced`,
        { result },
      );
    }
  }

  async install(): Promise<void> {
    await this.run(
      installCommand(this.paths.candidate, this.target),
      `move the new file into ${this.target}`,
      ErrorCode.CommandFailed,
      30,
    );
  }

  async verify(expected: string | null): Promise<void> {
    const state = await this.state();
    const actual = state.exists ? state.sha256 : null;
    if (actual !== expected)
      throw new HostStepError(
        ErrorCode.ChecksumMismatch,
        this.host.name,
        `${this.target} has sha256 ${actual ?? '(no file)'}, expected ${expected ?? '(no file)'}`,
      );
  }

  async reload(): Promise<void> {
    const result = await this.command(this.bundle.manifest.commands.reload, this.target);
    if (result.exitCode !== 0)
      throw new HostStepError(
        ErrorCode.CommandFailed,
        this.host.name,
        `reload failed (exit ${result.exitCode ?? result.signal})`,
        { result },
      );
  }

  /** Tries the health command as often as the manifest allows, waiting between tries. */
  async healthy(): Promise<void> {
    const health = this.bundle.manifest.commands.health;
    if (!health) return;
    let last: ExecResult | undefined;
    for (let attempt = 1; attempt <= health.attempts; attempt++) {
      if (attempt > 1) await sleep(health.intervalSeconds * 1000, undefined, { signal: this.signal });
      last = await this.command(health, this.target);
      if (last.exitCode === 0) return;
    }
    throw new HostStepError(
      ErrorCode.HealthCheckFailed,
      this.host.name,
      `health check failed ${health.attempts} time(s) after the reload`,
      { result: last },
    );
  }

  /** Puts the backup back (or removes a file the push created), atomically. */
  async restore(backupPath: string | null): Promise<void> {
    if (backupPath === null)
      await this.run(
        removeCommand([this.target]),
        `remove ${this.target}, which the push created`,
        ErrorCode.CommandFailed,
        30,
      );
    else
      await this.run(
        restoreCommand(backupPath, this.paths.restore, this.target),
        `restore ${this.target} from ${backupPath}`,
        ErrorCode.CommandFailed,
        30,
      );
  }

  async removeSideFiles(paths: readonly string[]): Promise<void> {
    await this.run(removeCommand(paths), `remove ${paths.join(', ')}`, ErrorCode.CommandFailed, 30);
  }

  private command(command: BundleCommand, file: string): Promise<ExecResult> {
    return this.executor.exec(this.host, bundleCommand(command, file), {
      signal: this.signal,
      timeoutMs: command.timeoutSeconds * 1000,
      maxOutputBytes: 64 * 1024,
    });
  }

  private async run(
    command: ShellCommand,
    what: string,
    code: ErrorCode,
    timeoutSeconds: number,
  ): Promise<ExecResult> {
    const result = await this.executor.exec(this.host, command, {
      signal: this.signal,
      timeoutMs: timeoutSeconds * 1000,
      maxOutputBytes: 64 * 1024,
    });
    if (result.exitCode !== 0)
      throw new HostStepError(
        code,
        this.host.name,
        `could not ${what} (exit ${result.exitCode ?? result.signal})`,
        { result },
      );
    return result;
  }
}
