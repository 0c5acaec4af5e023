import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseScenario } from '../../../src/drdrill/scenario/parse-scenario.js';
import { ScenarioDirectory } from '../../../src/drdrill/scenario/scenario-directory.js';
import { ErrorCode, ValidationError, type FieldIssue } from '../../../src/errors/index.js';
import { thrownBy } from '../../support/refusal.js';

/** A scenario document as YAML gives it back, edited freely by the cases below. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const exampleText = readFileSync(
  new URL('../../../examples/drills/checkout-eu.yaml', import.meta.url),
  'utf8',
);

/** The example with one change made by `edit`, as YAML text. */
function variant(edit: (doc: Doc) => void): string {
  const doc = parse(exampleText);
  edit(doc);
  return stringify(doc);
}

function issuesOf(text: string): FieldIssue[] {
  const err = thrownBy(ValidationError, () => parseScenario(text, 'test.yaml'));
  expect(err.code).toBe(ErrorCode.InvalidScenario);
  return [...err.issues];
}

describe('a drill scenario file', () => {
  it('reads the example with durations, shares and rates in the units the code uses', () => {
    const s = parseScenario(exampleText, 'checkout-eu.yaml');
    expect(s.regions.primary.backends.map((b) => b.server)).toEqual(['west1', 'west2']);
    expect(s.shift).toMatchObject({ canary: 5, batches: [25, 50, 100], soak: 30_000, dnsSwitchAt: 100 });
    expect(s.suite.checks[0]!.thresholds).toEqual({ maxErrorRate: 0.01, p95: 300 });
    expect(s.suite.checks[0]!.timeoutMs).toBe(2_000);
    expect(s.suite.checks[1]!.expect).toEqual({ status: [200] });
    expect(s.traffic.dns!.key).toEqual({
      name: 'drill-key.',
      algorithm: 'hmac-sha256',
      secret: { env: 'DRILL_TSIG_SECRET' },
    });
    expect(s.rto).toBe(600_000);
    expect(Object.isFrozen(s.regions.primary.backends[0])).toBe(true);
  });

  it.each([
    ['a missing secondary region', (d: Doc) => delete d.regions.secondary, 'regions.secondary', /required/],
    [
      'a backend without its HAProxy server',
      (d: Doc) => delete d.regions.primary.backends[1].server,
      'regions.primary.backends[1].server',
      /required/,
    ],
    [
      'a missing DNS record list',
      (d: Doc) => delete d.traffic.dns.records,
      'traffic.dns.records',
      /required/,
    ],
    [
      'a check without a p95 threshold',
      (d: Doc) => delete d.suite.checks[1].thresholds.p95,
      'suite.checks[1].thresholds.p95',
      /p95/,
    ],
    ['a canary of 0', (d: Doc) => (d.shift.canary = 0), 'shift.canary', /more than 0%/],
    ['a canary over 100', (d: Doc) => (d.shift.canary = '120%'), 'shift.canary', /at most 100%/],
    [
      'batches that do not rise',
      (d: Doc) => (d.shift.batches = ['50%', '25%', '100%']),
      'shift.batches[1]',
      /more than the step before/,
    ],
    [
      'batches that stop short of 100%',
      (d: Doc) => (d.shift.batches = [25, 50]),
      'shift.batches[1]',
      /last batch is 100%/,
    ],
    [
      'a DNS switch at no step of the plan',
      (d: Doc) => (d.shift.dnsSwitchAt = 30),
      'shift.dnsSwitchAt',
      /one of the plan's steps/,
    ],
    [
      'a TSIG secret written in the file',
      (d: Doc) => (d.traffic.dns.key.secret = 'c2VjcmV0'),
      'traffic.dns.key.secret',
      /never written in a scenario/,
    ],
    [
      'an A record value that is not an address',
      (d: Doc) => (d.traffic.dns.records[0].secondary = ['198.51.100']),
      'traffic.dns.records[0].secondary[0]',
      /not an IPv4/,
    ],
    [
      'an HAProxy backend name with a command separator',
      (d: Doc) => (d.traffic.haproxy.backend = 'checkout;shutdown'),
      'traffic.haproxy.backend',
      /no spaces or ";"/,
    ],
    [
      'an error rate over 100%',
      (d: Doc) => (d.suite.checks[0].thresholds.maxErrorRate = '150%'),
      'suite.checks[0].thresholds.maxErrorRate',
      /at most 1/,
    ],
    [
      'a redis URL carrying a password',
      (d: Doc) => (d.replication[0].replica.url = 'redis://:hunter2@10.0.0.1:6379'),
      'replication[0].replica.url',
      /passwordEnv/,
    ],
    ['an unknown key', (d: Doc) => (d.shift.canery = 5), 'shift', /unknown key 'canery'/],
    ['a duration in no unit', (d: Doc) => (d.rto = 'ten minutes'), 'rto', /not a duration/],
  ])('refuses %s, naming the field', (_what, edit, path, message) => {
    const issues = issuesOf(variant(edit));
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it.each([
    [
      'a monitoring check the suite does not define',
      (d: Doc) => (d.monitoring.checks = ['helth']),
      'monitoring.checks[0]',
      /no check 'helth'.*did you mean 'health'/,
    ],
    [
      'a fail-back check the suite does not define',
      (d: Doc) => (d.failback.verify = ['health', 'basket']),
      'failback.verify[1]',
      /no check 'basket'/,
    ],
    [
      'a replica in a region the scenario lacks',
      (d: Doc) => (d.replication[0].replica.region = 'eu-centrl'),
      'replication[0].replica.region',
      /no region 'eu-centrl'.*did you mean 'eu-central'/,
    ],
    [
      "a replica in its primary's region",
      (d: Doc) => (d.replication[0].replica.region = 'eu-west'),
      'replication[0].replica.region',
      /other region/,
    ],
    [
      'two backends on one HAProxy server',
      (d: Doc) => (d.regions.secondary.backends[0].server = 'west1'),
      'regions.secondary.backends[0].server',
      /already stands for/,
    ],
    [
      'two checks of one name',
      (d: Doc) => (d.suite.checks[1].name = 'health'),
      'suite.checks[1].name',
      /used twice/,
    ],
    [
      'a record outside the zone',
      (d: Doc) => (d.traffic.dns.records[0].owner = 'api.example.org'),
      'traffic.dns.records[0].owner',
      /not in the zone/,
    ],
    [
      'a DNS switch without DNS',
      (d: Doc) => delete d.traffic.dns,
      'shift.dnsSwitchAt',
      /traffic.dns is not defined/,
    ],
    [
      'regions of one name',
      (d: Doc) => (d.regions.secondary.name = 'eu-west'),
      'regions.secondary.name',
      /must differ/,
    ],
  ])('refuses %s (a broken reference), naming the field', (_what, edit, path, message) => {
    const issues = issuesOf(variant(edit));
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses a duplicate key with its line', () => {
    const issues = issuesOf('name: a\nname: b\n');
    expect(issues[0]).toEqual({ path: 'line 2', message: expect.stringMatching(/not valid YAML/) });
  });
});

describe('the scenarios directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marshal-scenarios-'));
    await writeFile(join(dir, 'checkout-eu.yaml'), exampleText);
    await writeFile(join(dir, 'renamed.yml'), exampleText);
    await writeFile(join(dir, 'README.md'), 'not a scenario');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists the scenario files by name and loads one', async () => {
    const scenarios = new ScenarioDirectory(dir);
    expect(await scenarios.names()).toEqual(['checkout-eu', 'renamed']);
    expect((await scenarios.load('checkout-eu')).regions.secondary.name).toBe('eu-central');
  });

  it('refuses an unknown scenario, offering close names', async () => {
    const err = await new ScenarioDirectory(dir).load('checkout-ue').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.UnknownScenario });
    expect((err as Error).message).toMatch(/No drill scenario 'checkout-ue'.*did you mean 'checkout-eu'/);
  });

  it("refuses a file whose name field is not the file's name", async () => {
    const err = await new ScenarioDirectory(dir).load('renamed').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.InvalidScenario, issues: [{ path: 'name' }] });
  });
});
