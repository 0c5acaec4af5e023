import { posix } from 'node:path';
import {
  ErrorCode,
  MarshalError,
  sh,
  type Host,
  type HostBlocks,
  type HostExecutor,
  type ShellCommand,
} from '../../src/authoring/index.js';
import type { DeployedFileSpec, RenewalPlan } from './renewal-plan.js';

/**
 * Runs the rest of its arguments after bind-mounting each `<staged> <live>` pair before `--`, inside the
 * private mount namespace `unshare` gives it: the service's own config test reads the staged files at the
 * live paths (whatever file of its config names them, includes too), and no other process on the host
 * sees them. Exit 125: a staged file could not be put in place for the test (the test did not run).
 */
export const WITH_STAGED_FILES =
  'while [ "$1" != "--" ]; do mount --bind "$1" "$2" || { echo "marshal: could not put $1 in place of $2 for the config test" >&2; exit 125; }; shift 2; done; shift; exec "$@"';

/** Commands joined with `&&`: the first that fails stops the rest. */
const all = (commands: readonly ShellCommand[]): ShellCommand =>
  commands.reduce((joined, next) => sh`${joined} && ${next}`);

/**
 * The certificate files on one host and what the runbook does with them. Side files sit beside each
 * live file: `<path>.marshal-new-<run>` (staged), `<path>.marshal-prev-<run>` (the pair the run replaced,
 * kept after success for `keepPrevious`). The key travels only as SFTP file content, created with its
 * mode (0600): never in a command line.
 */
export class RemotePair {
  constructor(
    private readonly blocks: HostBlocks,
    private readonly executor: HostExecutor,
    readonly host: Host,
    private readonly plan: RenewalPlan,
    private readonly runId: string,
    private readonly signal: AbortSignal,
  ) {}

  private get ctx(): { signal: AbortSignal } {
    return { signal: this.signal };
  }

  staged = (f: DeployedFileSpec): string => `${f.path}.marshal-new-${this.runId}`;
  backup = (f: DeployedFileSpec): string => `${f.path}.marshal-prev-${this.runId}`;
  private restoring = (f: DeployedFileSpec): string => `${f.path}.marshal-restore-${this.runId}`;

  /** sha256 of each live file (null when missing), by role. */
  async liveShas(): Promise<Record<string, string | null>> {
    return this.shas((f) => f.path);
  }

  async backupShas(): Promise<Record<string, string | null>> {
    return this.shas((f) => this.backup(f));
  }

  /**
   * One command for every file (a host's step is mostly round trips): a line per file, in order,
   * `absent` or its sha256.
   */
  private async shas(path: (f: DeployedFileSpec) => string): Promise<Record<string, string | null>> {
    const probes = this.plan.files.map(
      (f) => sh`if [ -e ${path(f)} ]; then sha256sum -- ${path(f)}; else echo absent; fi`,
    );
    const r = await this.blocks.run(
      this.host,
      probes.reduce((joined, next) => sh`${joined}; ${next}`),
      this.ctx,
      { what: 'checksum the certificate files', timeoutMs: 30_000 },
    );
    const lines = r.stdout.trim().split('\n');
    const out: Record<string, string | null> = {};
    this.plan.files.forEach((f, i) => {
      const line = (lines[i] ?? '').trim();
      const sha = /^([0-9a-f]{64})\s/.exec(line)?.[1];
      if (line !== 'absent' && !sha)
        throw new MarshalError(
          ErrorCode.UnexpectedHostOutput,
          `${this.host.name}: checksumming ${path(f)} printed ${JSON.stringify(line.slice(0, 100))}`,
          { context: { host: this.host.name, path: path(f) } },
        );
      out[f.role] = sha ?? null;
    });
    return out;
  }

  /** Copies the live pair aside (mode and owner kept), verified by checksum. */
  async backUp(): Promise<void> {
    const live = await this.liveShas();
    const copies = this.plan.files.map((f) => sh`cp -p -- ${f.path} ${this.backup(f)}`);
    await this.blocks.run(this.host, all(copies), this.ctx, {
      what: 'back up the certificate files',
      timeoutMs: 30_000,
    });
    const copied = await this.backupShas();
    for (const f of this.plan.files)
      if (copied[f.role] !== live[f.role])
        throw new MarshalError(
          ErrorCode.ChecksumMismatch,
          `${this.host.name}: the backup of ${f.path} does not match it (changed while copied?)`,
          { context: { host: this.host.name, path: f.path } },
        );
  }

  /** Uploads the new files beside the live ones, each with its owner and mode. */
  async stage(files: readonly { spec: DeployedFileSpec; content: string }[]): Promise<void> {
    for (const { spec, content } of files)
      await this.executor.upload(
        this.host,
        { path: this.staged(spec), content, mode: spec.mode, owner: spec.owner, group: spec.group },
        { signal: this.signal, timeoutMs: 60_000 },
      );
  }

  /** Renames each staged file over its live file (one rename each: a reader sees old or new, never half). */
  async swap(): Promise<void> {
    const moves = this.plan.files.map((f) => sh`mv -f -- ${this.staged(f)} ${f.path}`);
    await this.blocks.run(this.host, all(moves), this.ctx, {
      what: 'swap in the new certificate files',
      timeoutMs: 30_000,
    });
  }

  /** Puts this run's backup back over the live files (copied beside, then renamed). */
  async restore(): Promise<void> {
    const steps = this.plan.files.map(
      (f) => sh`cp -p -- ${this.backup(f)} ${this.restoring(f)} && mv -f -- ${this.restoring(f)} ${f.path}`,
    );
    await this.blocks.run(this.host, all(steps), this.ctx, {
      what: 'restore the previous certificate files',
      timeoutMs: 30_000,
    });
  }

  /** The service's own config test (e.g. `nginx -t`) on the live files; its output when it fails. */
  async test(): Promise<{ ok: boolean; output: string }> {
    return this.runTest(sh`${this.plan.test.argv}`, 'run the service config test');
  }

  /**
   * The service's own config test with the staged files in place of the live ones, before anything is
   * swapped: a certificate or key the service would refuse at its reload fails here, and the live files
   * and the running service are untouched. The staged files are bind-mounted over the live paths in a
   * mount namespace of the test's own (`unshare --mount`, util-linux; root, as deploying root-owned files
   * needs anyway), so the test reads the service's real config unchanged.
   */
  async testStaged(): Promise<{ ok: boolean; output: string }> {
    const pairs = this.plan.files.flatMap((f) => [this.staged(f), f.path]);
    return this.runTest(
      sh`unshare --mount --propagation private -- sh -c ${WITH_STAGED_FILES} marshal-config-test ${pairs} -- ${this.plan.test.argv}`,
      'run the service config test with the staged files',
    );
  }

  private async runTest(command: ShellCommand, what: string): Promise<{ ok: boolean; output: string }> {
    const r = await this.blocks.run(this.host, command, this.ctx, {
      what,
      timeoutMs: this.plan.test.timeoutSeconds * 1000,
      okExitCodes: Array.from({ length: 256 }, (_, i) => i),
    });
    return { ok: r.exitCode === 0, output: `${r.stderr}${r.stdout}`.trim().slice(0, 500) };
  }

  async reload(): Promise<void> {
    await this.blocks.run(this.host, sh`${this.plan.reload.argv}`, this.ctx, {
      what: 'reload the service',
      timeoutMs: this.plan.reload.timeoutSeconds * 1000,
    });
  }

  /** Removes this run's staged (and half-restored) files; missing ones are fine. */
  async removeStaged(): Promise<void> {
    const paths = this.plan.files.flatMap((f) => [this.staged(f), this.restoring(f)]);
    await this.blocks.run(this.host, sh`rm -f -- ${paths}`, this.ctx, { what: 'remove staged files' });
  }

  /**
   * Removes the previous pairs of earlier runs once older than `keepMs`; this run's backup (now the
   * previous pair) stays.
   */
  async removeOldBackups(keepMs: number): Promise<void> {
    const minutes = Math.max(1, Math.floor(keepMs / 60_000));
    const finds = this.plan.files.map((f) => {
      const dir = posix.dirname(f.path);
      const base = posix.basename(f.path);
      return sh`find ${dir} -maxdepth 1 -type f -name ${`${base}.marshal-prev-*`} ! -name ${posix.basename(this.backup(f))} -mmin +${minutes} -delete`;
    });
    await this.blocks.run(this.host, all(finds), this.ctx, { what: 'remove old backups' });
  }

  /** Removes this run's backup (the host is on the old pair: the backup is a copy of what it has). */
  async removeBackup(): Promise<void> {
    const paths = this.plan.files.map((f) => this.backup(f));
    await this.blocks.run(this.host, sh`rm -f -- ${paths}`, this.ctx, { what: 'remove the backup' });
  }
}
