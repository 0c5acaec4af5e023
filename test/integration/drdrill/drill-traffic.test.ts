import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadGenerator, restoredAt, summarizeWindow } from '../../../src/checks/load-generator.js';
import { createDrillTraffic } from '../../../src/drdrill/create-drill-traffic.js';
import type { DrillTraffic } from '../../../src/drdrill/drill-traffic.js';
import { ScenarioDirectory } from '../../../src/drdrill/scenario/scenario-directory.js';
import {
  DrillEnvironment,
  TSIG_SECRET_ENV,
  type ScenarioDocument,
} from '../../../src/local/drill/drill-environment.js';
import { regionsServing } from '../../../src/local/drill/region-backend.js';
import { DirectDnsReader } from '../../../src/traffic/dns/dns-reader.js';
import { HaproxyRuntime } from '../../../src/traffic/haproxy/haproxy-runtime.js';
import { UnixRuntimeSocket } from '../../../src/traffic/haproxy/runtime-socket.js';

describe('a drill scenario driving real HAProxy, DNS and Redis (no workflow yet)', () => {
  let env: DrillEnvironment;
  let scenarios: ScenarioDirectory;
  let haproxy: HaproxyRuntime;
  let dns: DirectDnsReader;
  const traffic = async (name: string, secrets: Record<string, string> = env.env): Promise<DrillTraffic> =>
    createDrillTraffic(await scenarios.load(name), secrets);
  const variant = (name: string, edit: (doc: ScenarioDocument) => void) => env.writeVariant(name, edit);

  beforeAll(async () => {
    env = await DrillEnvironment.start();
    scenarios = new ScenarioDirectory(env.scenariosDir);
    haproxy = new HaproxyRuntime(new UnixRuntimeSocket(env.haproxy.socketPath));
    dns = new DirectDnsReader(env.dns.server);
  });
  afterAll(() => env?.stop());

  it('validation passes on the live systems and changes neither HAProxy nor DNS', async () => {
    const drill = await traffic(env.scenarioName);
    const weights = await haproxy.serversState('checkout');
    const serial = await dns.serial('drill.test.');
    // The replica may still be syncing right after start: wait (bounded) for a clean preflight.
    let result = await drill.preflight();
    for (let i = 0; i < 100 && !result.ok; i++) {
      await new Promise((r) => setTimeout(r, 200));
      result = await drill.preflight();
    }
    expect(result.findings.map((f) => [f.check, f.ok])).toEqual([
      ['haproxy', true],
      ['dns', true],
      ['replication', true],
    ]);
    expect(await haproxy.serversState('checkout')).toEqual(weights);
    expect(await dns.serial('drill.test.')).toBe(serial);
  });

  it('validation names every typo at once: an HAProxy server, a DNS value, and a wrong TSIG secret', async () => {
    const name = await variant('typos', (doc) => {
      doc.regions.secondary.backends[0].server = 'centrl1';
      doc.traffic.dns.records[0].primary = ['192.0.2.11'];
    });
    const result = await (await traffic(name)).preflight();
    const byCheck = Object.fromEntries(result.findings.map((f) => [f.check, f]));
    expect(result.ok).toBe(false);
    expect(byCheck.haproxy!.detail).toMatch(/no server 'centrl1'; did you mean 'central1'\?/);
    expect(byCheck.dns!.detail).toMatch(/api\.drill\.test\. A is 192\.0\.2\.10 \(expected 192\.0\.2\.11\)/);

    const wrongKey = await (
      await traffic(env.scenarioName, { [TSIG_SECRET_ENV]: Buffer.alloc(32, 1).toString('base64') })
    ).preflight();
    expect(wrongKey.findings.find((f) => f.check === 'dns')!.detail).toMatch(
      /TSIG key was refused.*\(BADSIG\)/,
    );

    const noKey = await (await traffic(env.scenarioName, {})).preflight();
    expect(noKey.findings.find((f) => f.check === 'dns')!.detail).toMatch(
      /traffic\.dns\.key\.secret\.env: the environment variable DRILL_TSIG_SECRET is not set/,
    );
  });

  it('an HAProxy backend that does not exist fails validation with the close name', async () => {
    const name = await variant('no-backend', (doc) => (doc.traffic.haproxy.backend = 'chekout'));
    const result = await (await traffic(name)).preflight();
    expect(result.findings[0]).toMatchObject({
      check: 'haproxy',
      ok: false,
      detail: expect.stringMatching(/no backend 'chekout'; did you mean 'checkout'\?/),
    });
  });

  it('canary, batches, DNS switch and fail back move real traffic; the suite passes at every step', async () => {
    const drill = await traffic(env.scenarioName);
    const before = await drill.weights();
    expect((await drill.runSuite('primary')).pass).toBe(true);
    expect((await drill.runSuite('secondary')).pass).toBe(true);
    for (const share of [5, 25, 50, 100]) {
      const { plan, live } = await drill.shift(share);
      expect(plan.secondaryShare).toBe(share);
      expect(live.map((s) => s.weight)).toEqual([...plan.weights.values()]);
      const suite = await drill.runSuite('frontend');
      expect(suite.pass).toBe(true);
    }
    expect(await regionsServing(env.haproxy.frontendUrl, 20)).toEqual({ 'eu-central': 20 });
    await drill.switchDns('primary', 'secondary');
    expect(await dns.rrset('api.drill.test.', 'A')).toEqual(['198.51.100.10']);

    // A step repeated (a retried job) leaves the same live state.
    const again = await drill.shift(100);
    expect(again.live.map((s) => s.weight)).toEqual([0, 100]);

    // Fail back: weights and DNS restored, the primary serves everything.
    await drill.restoreWeights(before);
    expect(await drill.weights()).toEqual(before);
    await drill.switchDns('secondary', 'primary');
    expect(await regionsServing(env.haproxy.frontendUrl, 20)).toEqual({ 'eu-west': 20 });
    expect(await dns.rrset('api.drill.test.', 'A')).toEqual(['192.0.2.10']);
    expect(await dns.rrset('www.drill.test.', 'CNAME')).toEqual(['west.drill.test.']);
  });

  it('a secondary failing its checks at 25% is seen through the load balancer; shifting back restores service', async () => {
    const drill = await traffic(env.scenarioName);
    // Users keep sending requests through the load balancer the whole time.
    const users = LoadGenerator.start(env.haproxy.frontendUrl, {
      concurrency: 2,
      pauseMs: 10,
      timeoutMs: 5_000,
      expect: { status: [200], contains: 'ok' },
    });
    env.secondary[0]!.behaviour = { kind: 'failing' };
    try {
      const shifted = Date.now();
      await drill.shift(25);
      const degraded = await drill.runSuite('frontend');
      expect(degraded.pass).toBe(false);
      expect(degraded.results[0]!.summary.failureReasons[0]).toMatchObject({ reason: 'status 503' });
      // Users see the 503s too (their requests reach the secondary's quarter); wait, bounded, for one.
      for (let i = 0; i < 300 && !users.recorded.some((r) => !r.ok && r.at >= shifted); i++)
        await new Promise((r) => setTimeout(r, 20));
      const rollback = Date.now();
      await drill.shift(0);
      const rolledBack = Date.now();
      expect((await drill.runSuite('frontend')).pass).toBe(true);
      const seen = await users.stop();
      // Users saw the errors of the degraded step, and none once the rollback had taken effect.
      expect(summarizeWindow(seen, shifted, rollback).failures).toBeGreaterThan(0);
      expect(summarizeWindow(seen, rolledBack).failures).toBe(0);
      expect(restoredAt(seen, rollback)).toBeDefined();
    } finally {
      await users.stop();
      env.secondary[0]!.behaviour = { kind: 'healthy' };
    }
  });
});
