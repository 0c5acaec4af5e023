import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrillTraffic } from '../../../src/drdrill/create-drill-traffic.js';
import { ScenarioDirectory } from '../../../src/drdrill/scenario/scenario-directory.js';
import type { ScenarioDocument } from '../../../src/local/drill/drill-environment.js';
import { DirectDnsReader } from '../../../src/traffic/dns/dns-reader.js';
import { parseDnsServer } from '../../../src/traffic/dns/dns-update.js';
import { REQUESTER, startDrillFixture, type DrillFixture } from '../../support/drill-fixture.js';
import { testRedisUrl } from '../../support/redis.js';

let f: DrillFixture;
beforeAll(async () => {
  f = await startDrillFixture(testRedisUrl());
}, 60_000);
afterAll(() => f?.close());

const BASELINE = { west1: 100, central1: 0 };
const weights = async () =>
  Object.fromEntries(
    await createDrillTraffic(
      await new ScenarioDirectory(f.env.scenariosDir).load('checkout'),
      f.env.env,
    ).weights(),
  );
const apiRecord = () => new DirectDnsReader(parseDnsServer(f.env.dns.address)).rrset('api.drill.test.', 'A');

/** Runs the drill on `scenario`; returns the first failed task's id and error. Nothing may have moved. */
async function refused(scenario: string): Promise<{ task: string; error: string }> {
  const runId = await f.engine.start({ workflow: 'dr-drill', params: { scenario }, requester: REQUESTER });
  const run = await f.finished(runId);
  expect(run.state).toBe('failed');
  const failed = run.tasks.find((t) => t.state === 'failed')!;
  expect(await weights()).toEqual(BASELINE);
  expect(await apiRecord()).toEqual(['192.0.2.10']);
  expect(run.tasks.find((t) => t.taskId === 'execution.canary')?.state).toBe('upstream_failed');
  return { task: failed.taskId, error: failed.error ?? '' };
}

const variant = (name: string, edit: (doc: ScenarioDocument) => void) => f.env.writeVariant(name, edit);

describe('bad input: a clear error naming the field, and nothing changed', () => {
  it('an unknown scenario is refused with the close name', async () => {
    const { task, error } = await refused('checkot');
    expect(task).toBe('validation.scenario');
    expect(error).toContain("No drill scenario 'checkot'");
    expect(error).toContain('checkout');
  }, 60_000);

  it.each([
    ['no-secondary', 'regions.secondary', (d: ScenarioDocument) => delete d.regions.secondary],
    ['no-backends', 'regions.primary.backends', (d: ScenarioDocument) => (d.regions.primary.backends = [])],
    [
      'no-threshold',
      'suite.checks[0].thresholds',
      (d: ScenarioDocument) => delete d.suite.checks[0].thresholds,
    ],
    ['no-record', 'traffic.dns.records', (d: ScenarioDocument) => (d.traffic.dns.records = [])],
    ['canary-zero', 'shift.canary', (d: ScenarioDocument) => (d.shift.canary = 0)],
    ['canary-over', 'shift.canary', (d: ScenarioDocument) => (d.shift.canary = '101%')],
  ])(
    'a scenario file %s is refused naming %s',
    async (name, path, edit) => {
      await variant(name, edit);
      const { task, error } = await refused(name);
      expect(task).toBe('validation.scenario');
      expect(error).toContain(path);
    },
    60_000,
  );

  it('a wrong TSIG key is found by the validation dry run', async () => {
    process.env.DRILL_WRONG_TSIG = Buffer.alloc(32, 7).toString('base64');
    await variant('wrong-key', (d) => (d.traffic.dns.key.secret = { env: 'DRILL_WRONG_TSIG' }));
    const { task, error } = await refused('wrong-key');
    expect(task).toBe('validation.dry-runs');
    expect(error).toContain('traffic.dns');
    expect(error).toMatch(/BADSIG|BADKEY|TSIG/i);
  }, 60_000);

  it('an HAProxy server name that does not exist is found by the validation dry run, with the close name', async () => {
    await variant('typo-server', (d) => (d.regions.secondary.backends[0].server = 'centrl1'));
    const { task, error } = await refused('typo-server');
    expect(task).toBe('validation.dry-runs');
    expect(error).toContain('traffic.haproxy');
    expect(error).toContain('centrl1');
    expect(error).toContain('central1');
  }, 60_000);

  it('a scenario word that is not a name is refused in the ack, and nothing starts', async () => {
    const before = (await f.engine.list({ limit: 100 })).length;
    const response = await f.command(REQUESTER, 'start Checkout;rm');
    expect(response.status).toBe(200);
    expect(response.text).toContain('scenario');
    expect((await f.engine.list({ limit: 100 })).length).toBe(before);
  }, 30_000);
});
