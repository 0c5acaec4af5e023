import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  UpgradeProfile,
  adoptionSeries,
  compareVersions,
  isSlow,
  slowAfter,
  parseHostFacts,
  profileCommand,
  releaseStatus,
  skipReason,
  type HostRecord,
} from '../../../src/osupgrade/index.js';
import { abSlotProfile } from '../../../src/local/fleet/ab-slots.js';

describe('version order', () => {
  it('orders numeric parts as numbers', () => {
    expect(compareVersions('12.9', '12.10')).toBe(-1);
    expect(compareVersions('24.04', '22.04')).toBe(1);
    expect(compareVersions('12.7', '12.7')).toBe(0);
    expect(compareVersions('12', '12.1')).toBe(-1);
  });

  it('is antisymmetric and reflexive (property)', () => {
    const version = fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 4 }).map((p) => p.join('.'));
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(compareVersions(a, a)).toBe(0);
        // Summed, not negated: -0 is not 0 to toBe (Object.is), and equal versions compare as 0.
        expect(compareVersions(a, b) + compareVersions(b, a)).toBe(0);
      }),
    );
  });
});

describe('the upgrade profile', () => {
  const profile = UpgradeProfile.parse(abSlotProfile('/var/tmp'));

  it('quotes every value it puts into a command', () => {
    const cmd = profileCommand(profile, 'fetch', { url: "http://x/a'; rm -rf /", file: '/var/tmp/a b.img' });
    expect(cmd.text).toBe(`curl -fsS --retry 2 -o '/var/tmp/a b.img' -- 'http://x/a'\\''; rm -rf /'`);
  });

  it('refuses a template naming an unknown placeholder or spanning lines', () => {
    const bad = { ...abSlotProfile(), commands: { ...abSlotProfile().commands, install: 'x {path}' } };
    expect(UpgradeProfile.safeParse(bad).error?.issues[0]?.message).toMatch(/\{path\} is not a placeholder/);
    const multi = { ...abSlotProfile(), commands: { ...abSlotProfile().commands, install: 'a\nb' } };
    expect(UpgradeProfile.safeParse(multi).error?.issues[0]?.message).toMatch(/must be one line/);
  });
});

describe('pre-check rules', () => {
  const facts = {
    bootId: '0'.repeat(8) + '-0000-0000-0000-' + '0'.repeat(12),
    version: '12.5',
    availKb: 10_000,
    busy: [],
  };
  const base = {
    facts,
    target: { version: '12.7', sizeBytes: 1024 * 1024 },
    failedBefore: undefined,
    includeFailed: false,
    allowDowngrade: false,
  };

  it('lets an idle, older host with room through', () => {
    expect(skipReason(base)).toBeNull();
  });

  it.each([
    [
      { failedBefore: { runId: 'r1', at: 't', error: 'lost' } },
      /failed an upgrade to this release before \(run r1/,
    ],
    [{ facts: { ...facts, busy: ['marker file /x is present'] } }, /critical workload: marker file \/x/],
    [
      { facts: { ...facts, availKb: 100 } },
      /not enough free disk for the image: 100 KiB free, 1127 KiB needed/,
    ],
    [{ facts: { ...facts, version: '12.7' } }, /already runs 12\.7/],
    [
      { facts: { ...facts, version: '13.1' } },
      /runs 13\.1, newer than 12\.7: a downgrade needs --allow-downgrade/,
    ],
  ])('leaves a host out with the reason (%#)', (change, reason) => {
    expect(skipReason({ ...base, ...change })).toMatch(reason);
  });

  it('--include-failed and --allow-downgrade let those hosts through', () => {
    expect(
      skipReason({ ...base, failedBefore: { runId: 'r', at: 't', error: 'e' }, includeFailed: true }),
    ).toBeNull();
    expect(skipReason({ ...base, facts: { ...facts, version: '13.1' }, allowDowngrade: true })).toBeNull();
  });

  it('reads the probe output, and says what is missing', () => {
    const ok = parseHostFacts(`boot_id=${facts.bootId}\nversion=12.5\navail_kb=42\nbusy=job\n`);
    expect(ok).toEqual({ ok: true, facts: { ...facts, availKb: 42, busy: ['job'] } });
    const bad = parseHostFacts(`boot_id=${facts.bootId}\navail_kb=42\n`);
    expect(bad.ok).toBe(false);
  });
});

describe('status and the adoption chart data', () => {
  const hosts = [
    { name: 'a1', dc: 'fra1' },
    { name: 'a2', dc: 'fra1' },
    { name: 'b1', dc: 'ams1' },
    { name: 'b2', dc: 'ams1' },
  ];
  const rec = (
    host: string,
    dc: string,
    result: HostRecord['result'],
    at: string,
    durationMs?: number,
  ): HostRecord => ({
    runId: 'r',
    host,
    dc,
    result,
    at,
    ...(durationMs === undefined ? {} : { durationMs }),
  });
  const records = [
    rec('a1', 'fra1', 'done', '2026-11-27T01:00:00Z', 10_000),
    rec('a2', 'fra1', 'failed', '2026-11-27T01:01:00Z'),
    rec('b1', 'ams1', 'done', '2026-11-27T01:02:00Z', 30_000),
    rec('a2', 'fra1', 'done', '2026-11-27T02:00:00Z', 20_000),
  ];

  it('counts a host by its latest record, per data center', () => {
    const status = releaseStatus(records, hosts);
    expect(status).toEqual([
      {
        dc: 'ams1',
        hosts: 2,
        upgraded: 1,
        failed: 0,
        pending: 1,
        successRate: 100,
        medianMs: 30_000,
        slowest: [{ host: 'b1', durationMs: 30_000 }],
      },
      {
        dc: 'fra1',
        hosts: 2,
        upgraded: 2,
        failed: 0,
        pending: 0,
        successRate: 100,
        medianMs: 15_000,
        slowest: [
          { host: 'a2', durationMs: 20_000 },
          { host: 'a1', durationMs: 10_000 },
        ],
      },
    ]);
  });

  it('draws each data center rising to its share, and falling when a host is booted back', () => {
    const series = adoptionSeries(
      [...records, rec('b1', 'ams1', 'rolled_back', '2026-11-27T03:00:00Z')],
      hosts,
    );
    expect(series.find((s) => s.dc === 'fra1')!.points.map((p) => p.percent)).toEqual([50, 100]);
    expect(series.find((s) => s.dc === 'ams1')!.points.map((p) => p.percent)).toEqual([50, 0]);
  });

  it('calls a host slow at 3× its batch median, with at least two peers', () => {
    expect(isSlow(30_000, [10_000, 10_000], 3)).toBe(true);
    expect(isSlow(29_000, [10_000, 10_000], 3)).toBe(false);
    expect(isSlow(90_000, [10_000], 3)).toBe(false);
  });

  it('knows when a running host becomes slow once half its batch (two at least) has finished', () => {
    // 3 peers: two finished (10 s, 20 s) are half or more; the line is 3 × their median.
    expect(slowAfter([10_000, 20_000], 3, 3)).toBe(45_000);
    // 5 peers, two finished: the first to finish are the fastest, the batch's median is not known yet.
    expect(slowAfter([10_000, 20_000], 5, 3)).toBeUndefined();
    expect(slowAfter([10_000, 20_000, 30_000], 5, 3)).toBe(60_000);
    // A lone peer is nobody to compare with; the canary has no peers.
    expect(slowAfter([10_000], 1, 3)).toBeUndefined();
    expect(slowAfter([], 0, 3)).toBeUndefined();
  });
});
