import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/engine/index.js';
import { ConfigPushFixture } from '../../support/config-push-fixture.js';

const SOAK_MS = 2500;

/**
 * Config push as the workflow wires it, not the engine alone: the soak the operator asks for is waited
 * between its stages, and the bundle's OS/kernel/disk requirements are checked on every host before any
 * host is changed. (The engine's own soak test uses a workflow of its own, which a config push that drops
 * the soak or the pre-check would leave green.)
 */
describe('config push waits its soak and checks the hosts first', () => {
  let f: ConfigPushFixture;
  let bundles: string;
  beforeAll(async () => {
    bundles = mkdtempSync(join(tmpdir(), 'marshal-soak-bundles-'));
    cpSync(resolve('bundles/rate-limiter'), join(bundles, 'rate-limiter'), { recursive: true });
    // The same bundle, but it needs a Debian the fleet (Debian 12) does not run.
    const future = join(bundles, 'rate-limiter-debian99');
    cpSync(resolve('bundles/rate-limiter'), future, { recursive: true });
    const manifest = join(future, 'bundle.yaml');
    const text = readFileSync(manifest, 'utf8')
      .replace(/^name: rate-limiter$/m, 'name: rate-limiter-debian99')
      .replace("os: { id: debian, minVersion: '12' }", "os: { id: debian, minVersion: '99' }");
    if (!text.includes("minVersion: '99'")) throw new Error('the requirement edit changed nothing');
    writeFileSync(manifest, text);
    f = await ConfigPushFixture.start({ hosts: 4, bundlesDir: bundles });
  });
  afterAll(async () => {
    await f?.close();
    rmSync(bundles, { recursive: true, force: true });
  });

  /** Starts a push as `ann`; `bob` approves its gate as soon as it waits. */
  async function push(bundle: string, rollout: Record<string, unknown>): Promise<string> {
    const engine = f.server.marshal.engine;
    const runId = await engine.start({
      workflow: 'config-push',
      params: { bundle, selector: 'role=web', ...rollout },
      requester: 'UANN00001',
    });
    void f
      .waitForEvent('the approval gate', (e) => e.runId === runId && e.type === 'gate.waiting')
      .then((e) =>
        engine.decide({
          runId,
          gateId: (e as Extract<RunEvent, { type: 'gate.waiting' }>).gateId,
          decision: 'approve',
          by: 'UBOB00002',
        }),
      )
      .catch(() => undefined);
    return runId;
  }

  /** The run once finished (started here, not from Slack: it has no thread to wait for). */
  async function untilFinished(runId: string) {
    await f.waitForEvent(
      `run ${runId} to finish`,
      (e) => e.runId === runId && e.type === 'run.finished',
      150_000,
    );
    return f.server.marshal.engine.get(runId);
  }

  it('between the canary and each batch, at least the soak passes (a lower bound, never an upper one)', async () => {
    f.resetHosts();
    const runId = await push('rate-limiter', { canary: 1, batches: [1], soakMs: SOAK_MS });
    expect((await untilFinished(runId)).state).toBe('succeeded');
    // Each stage has one host here (3 web hosts: canary 1, then batches of 1): their finishing times in order.
    const finished = f.events
      .filter((e) => e.runId === runId && e.type === 'target.finished')
      .map((e) => Date.parse(e.at));
    expect(finished).toHaveLength(3);
    const [canary, first, second] = finished as [number, number, number];
    expect(first - canary).toBeGreaterThanOrEqual(SOAK_MS);
    expect(second - first).toBeGreaterThanOrEqual(SOAK_MS);
  }, 180_000);

  it('a bundle whose OS requirement no host meets fails at pre-checks, naming it; no host is changed', async () => {
    f.resetHosts();
    const before = f.fleetShas();
    const runId = await push('rate-limiter-debian99', { canary: 1, batches: ['100%'], soakMs: 0 });
    const run = await untilFinished(runId);
    expect(run.state).toBe('failed');
    const hostsTask = run.tasks.find((t) => t.taskId === 'pre-checks.hosts');
    expect(hostsTask?.state).toBe('failed');
    expect(hostsTask?.error).toMatch(/Pre-checks failed on 3 hosts: [^\n]*debian[^\n]*99/i);
    expect(run.targets).toEqual([]);
    expect(f.fleetShas()).toEqual(before);
  }, 180_000);
});
