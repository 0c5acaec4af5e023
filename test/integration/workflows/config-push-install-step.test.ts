import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput } from '../../../src/audit/index.js';
import { sha256Hex } from '../../../src/bundles/bundle.js';
import { DirectoryBundleStore } from '../../../src/bundles/bundle-store.js';
import type { HostStepContext, Json } from '../../../src/engine/model/workflow.js';
import { ErrorCode, isMarshalError } from '../../../src/errors/index.js';
import type { Host } from '../../../src/hosts/host.js';
import type { SshExecutor } from '../../../src/hosts/ssh/index.js';
import { SshFleet } from '../../../src/local/fleet/index.js';
import { silentLogger } from '../../../src/log/index.js';
import type { ConfigPushDeps } from '../../../workflows/config-push/deps.js';
import { createInstallStep } from '../../../workflows/config-push/install-step.js';
import { ConfigPushParams } from '../../../workflows/config-push/params.js';
import {
  describeBundle,
  pinnedBundles,
  type ValidatedBundle,
} from '../../../workflows/config-push/pinned-bundle.js';
import { executorFor } from '../hosts/fleet-executor.js';
import { allowedRoots, rateLimiterConfig, rateLimiterManifest } from '../../unit/bundles/fixtures.js';

/**
 * The install step on a real sshd host, over SSH: the step's commands run in the host's shell with its
 * coreutils, and the files are read back through the host's private /etc/marshal-apps.
 */
describe('config-push install step', () => {
  let fleet: SshFleet;
  let executor: SshExecutor;
  let host: Host;
  let root: string;
  /** The application's folder as this machine sees it (the host's /etc/marshal-apps/rate-limiter). */
  let appDir: string;
  let target: string;
  let audit: AuditEntryInput[];
  let deps: ConfigPushDeps;

  beforeAll(async () => {
    fleet = await SshFleet.start({ count: 1, name: 'install-step' });
    executor = executorFor(fleet);
    host = fleet.hosts[0]!;
  });
  afterAll(async () => {
    await executor?.close();
    await fleet?.stopAll();
  });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'marshal-push-'));
    appDir = fleet.localPath(host, '/etc/marshal-apps/rate-limiter');
    target = join(appDir, 'rate-limiter.yaml');
    // Each test starts from an empty application folder on the host.
    await rm(appDir, { recursive: true, force: true });
    await mkdir(appDir, { recursive: true });
    await mkdir(join(root, 'bundles', 'rate-limiter'), { recursive: true });
    await writeBundle(rateLimiterManifest, rateLimiterConfig);
    audit = [];
    checkpoints = [];
    deps = {
      executor,
      inventory: { get: () => host, select: () => [host] },
      bundles: new DirectoryBundleStore(join(root, 'bundles'), { allowedRoots }),
      audit: { append: (e) => Promise.resolve(void audit.push(e)) },
      notifier: { alert: () => Promise.resolve(), image: () => Promise.resolve() },
      runs: { get: () => Promise.reject(new Error('not used by the step')) },
    };
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function writeBundle(manifest: string, config: string): Promise<void> {
    const dir = join(root, 'bundles', 'rate-limiter');
    await writeFile(join(dir, 'bundle.yaml'), manifest);
    await writeFile(join(dir, 'rate-limiter.yaml'), config);
  }

  let validated: ValidatedBundle;
  async function context(): Promise<HostStepContext<ConfigPushParams>> {
    validated = describeBundle(await deps.bundles.load('rate-limiter'));
    return {
      runId: 'run-7',
      workflow: 'config-push',
      taskId: 'execution.canary',
      params: ConfigPushParams.parse({ bundle: 'rate-limiter', selector: host.name }),
      requester: 'U0REQUEST',
      dryRun: false,
      attempt: 1,
      log: silentLogger(),
      signal: new AbortController().signal,
      output: () => undefined,
      changedTargets: () => [],
      lock: () => Promise.resolve(),
      fenced: (effect) => effect(),
      target: host.name,
      host,
      stage: { kind: 'canary', index: 0 },
      checkpoint: (data) => Promise.resolve(void checkpoints.push(data)),
    };
  }
  /** What the step recorded with `ctx.checkpoint`, in order. */
  let checkpoints: Json[] = [];
  const phases = (): unknown[] => checkpoints.map((c) => (c as { phase?: string } | null)?.phase ?? c);

  const oldConfig = rateLimiterConfig.replace('rate: 5\n', 'rate: 3\n');

  it('replaces the file, reloads, keeps a backup, and rollback puts the old file back', async () => {
    await writeFile(target, oldConfig);
    const step = createInstallStep(
      deps,
      pinnedBundles(deps.bundles, () => validated),
    );
    const ctx = await context();
    expect(await step.check!(ctx, undefined)).toBe('not_applied');
    expect(await step.plan!(ctx)).toContain('+1 −1 lines');

    const outcome = await step.apply(ctx);
    expect(outcome).toMatchObject({
      changed: true,
      data: { beforeSha256: sha256Hex(oldConfig), afterSha256: sha256Hex(rateLimiterConfig) },
    });
    expect(await readFile(target, 'utf8')).toBe(rateLimiterConfig);
    expect(await readFile(join(appDir, 'loaded.yaml'), 'utf8')).toBe(rateLimiterConfig);
    expect(await readFile(`${target}.marshal-backup-run-7`, 'utf8')).toBe(oldConfig);
    expect((await stat(target)).mode & 0o777).toBe(0o644);
    // The phase is recorded before each move that must not be repeated blindly.
    expect(phases()).toEqual(['installing', 'reloading', 'reloaded']);
    // A takeover reads the checkpoint: the reload finished, so the change is in place and is not redone.
    expect(await step.check!(ctx, checkpoints.at(-1))).toBe('applied');
    // Without a checkpoint, this run's backup beside the new file leaves the check unsure: not applied.
    expect(await step.check!(ctx, undefined)).toBe('not_applied');
    expect(audit.map((e) => e.kind)).toEqual(['config.host.changed']);

    await step.rollback!(ctx, (outcome as { data: Json }).data, checkpoints.at(-1));
    expect(await readFile(target, 'utf8')).toBe(oldConfig);
    expect(await readFile(join(appDir, 'loaded.yaml'), 'utf8')).toBe(oldConfig);
    expect(audit.map((e) => e.kind)).toEqual(['config.host.changed', 'config.host.restored']);
  });

  it('a worker that died after installing the file but before the reload: the next attempt reloads, installs nothing', async () => {
    await writeFile(target, oldConfig);
    await writeFile(join(appDir, 'loaded.yaml'), oldConfig);
    const step = createInstallStep(
      deps,
      pinnedBundles(deps.bundles, () => validated),
    );
    const ctx = await context();
    await step.apply(ctx);
    // As if the reload never ran: the application still serves the old file.
    await writeFile(join(appDir, 'loaded.yaml'), oldConfig);
    const installed = (await stat(target)).ino;

    // The dead worker recorded that it was about to reload: the reload is owed.
    const reloading = checkpoints.find((c) => (c as { phase?: string }).phase === 'reloading');
    expect(await step.check!(ctx, reloading)).toBe('not_applied');
    const again = await step.apply(ctx);
    expect(again).toMatchObject({
      changed: true,
      data: { beforeSha256: sha256Hex(oldConfig), afterSha256: sha256Hex(rateLimiterConfig) },
    });
    expect((await stat(target)).ino).toBe(installed);
    expect(await readFile(join(appDir, 'loaded.yaml'), 'utf8')).toBe(rateLimiterConfig);
    expect(audit.at(-1)).toMatchObject({ kind: 'config.host.changed', data: { resumed: true } });
  });

  it('a host already at the bundle before the run is left alone', async () => {
    await writeFile(target, rateLimiterConfig);
    const step = createInstallStep(
      deps,
      pinnedBundles(deps.bundles, () => validated),
    );
    const ctx = await context();
    expect(await step.check!(ctx, undefined)).toBe('applied');
    expect(await step.apply(ctx)).toMatchObject({ changed: false });
    expect(audit).toEqual([]);
  });

  it("leaves the installed file untouched when the application's check refuses the new one", async () => {
    await writeFile(target, oldConfig);
    // A tab passes the YAML parser in a value but the (simulated) application refuses it.
    await writeBundle(
      rateLimiterManifest,
      rateLimiterConfig.replace('match: /auth/login', 'match: "/auth/login\t"'),
    );
    const step = createInstallStep(
      deps,
      pinnedBundles(deps.bundles, () => validated),
    );
    const err = await step.apply(await context()).catch((e: unknown) => e);
    expect(isMarshalError(err) && err.code).toBe(ErrorCode.ConfigCheckFailed);
    expect((err as Error).message).toMatch(/line \d+: tab character/);
    expect(await readFile(target, 'utf8')).toBe(oldConfig);
    expect((await readdir(appDir)).filter((f) => f.includes('marshal-new'))).toEqual([]);
  });

  it('restores the previous file on that host when the health check fails after the reload', async () => {
    await writeFile(target, oldConfig);
    // The "application" loads a different file than the one installed, so health (cmp) fails. The decoy is
    // a file on the host: the host sees its own files, not the checkout's (which may sit in its private /tmp).
    const decoy = '/etc/marshal-apps/decoy.yaml';
    await writeFile(fleet.localPath(host, decoy), 'not the installed configuration\n');
    const brokenReload = rateLimiterManifest.replace("argv: [cp, --, '{file}',", `argv: [cp, --, ${decoy},`);
    await writeBundle(brokenReload.replace('intervalSeconds: 2', 'intervalSeconds: 0'), rateLimiterConfig);
    const step = createInstallStep(
      deps,
      pinnedBundles(deps.bundles, () => validated),
    );
    const err = await step.apply(await context()).catch((e: unknown) => e);
    expect(isMarshalError(err) && err.code).toBe(ErrorCode.HealthCheckFailed);
    expect(await readFile(target, 'utf8')).toBe(oldConfig);
    expect(audit).toMatchObject([
      {
        kind: 'config.host.failed',
        target: host.name,
        data: { restored: true, beforeSha256: sha256Hex(oldConfig) },
      },
    ]);
    // Put back by the step itself: its checkpoint is cleared, so the rollout's rollback leaves it alone.
    expect(checkpoints.at(-1)).toBeNull();
  });

  it('creates the file on a host that has none, and rollback removes it again', async () => {
    const step = createInstallStep(
      deps,
      pinnedBundles(deps.bundles, () => validated),
    );
    const ctx = await context();
    const outcome = await step.apply(ctx);
    expect(outcome).toMatchObject({ changed: true, data: { backupPath: null, beforeSha256: null } });
    await step.rollback!(ctx, (outcome as { data: Json }).data, checkpoints.at(-1));
    await expect(stat(target)).rejects.toThrow(/ENOENT/);
  });

  it('refuses to push a bundle that changed after the run validated it', async () => {
    const ctx = await context();
    await writeBundle(rateLimiterManifest, rateLimiterConfig.replace('rate: 5\n', 'rate: 4\n'));
    const err = await createInstallStep(
      deps,
      pinnedBundles(deps.bundles, () => validated),
    )
      .apply(ctx)
      .catch((e: unknown) => e);
    expect(isMarshalError(err) && err.code).toBe(ErrorCode.InvalidBundle);
    expect((err as Error).message).toContain('changed since this run validated it');
  });
});
