import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrillTraffic } from '../../../src/drdrill/create-drill-traffic.js';
import { ScenarioDirectory } from '../../../src/drdrill/scenario/scenario-directory.js';
import { Scorecard } from '../../../src/drdrill/journal/scorecard.js';
import type { RunSnapshot } from '../../../src/engine/index.js';
import { regionsServing } from '../../../src/local/drill/region-backend.js';
import { RedisWorkflowRecords } from '../../../src/records/redis-workflow-records.js';
import {
  MARSHAL_APPROVE,
  MARSHAL_CHOOSE_PREFIX,
  encodeGateActionValue,
} from '../../../src/slack/blocks/index.js';
import { DirectDnsReader } from '../../../src/traffic/dns/dns-reader.js';
import { parseDnsServer } from '../../../src/traffic/dns/dns-update.js';
import {
  APPROVER,
  REQUESTER,
  startDrillFixture,
  until,
  type DrillFixture,
} from '../../support/drill-fixture.js';
import { testRedisUrl } from '../../support/redis.js';

let f: DrillFixture;
beforeAll(async () => {
  f = await startDrillFixture(testRedisUrl());
}, 60_000);
afterAll(() => f?.close());

const traffic = async () =>
  createDrillTraffic(await new ScenarioDirectory(f.env.scenariosDir).load('checkout'), f.env.env);
const weights = async () => Object.fromEntries(await (await traffic()).weights());
const apiRecord = () => new DirectDnsReader(parseDnsServer(f.env.dns.address)).rrset('api.drill.test.', 'A');
const BASELINE = { west1: 100, central1: 0 };
const taskOf = (run: RunSnapshot, id: string) => run.tasks.find((t) => t.taskId === id);

/** Starts a drill with a signed `/drdrill start …` from the requester; returns its run id. */
async function startBySlack(text: string): Promise<string> {
  const before = new Set((await f.engine.list({ limit: 100 })).map((r) => r.runId));
  expect((await f.command(REQUESTER, text)).status).toBe(200);
  let runId: string | undefined;
  await until(async () => {
    runId = (await f.engine.list({ limit: 100 })).find((r) => !before.has(r.runId))?.runId;
    return runId !== undefined;
  });
  return runId!;
}

async function approveBySlack(runId: string): Promise<void> {
  const { ts, plan } = await f.card(runId, 'execution.approval');
  const press = {
    actionId: MARSHAL_APPROVE,
    value: encodeGateActionValue({ runId, gateId: 'execution.approval', ...(plan ? { plan } : {}) }),
    messageTs: ts,
  };
  // The requester cannot approve their own drill; another person can.
  expect((await f.press({ ...press, user: REQUESTER })).status).toBe(200);
  await f.ephemeral(REQUESTER, 'You requested this run, so you cannot approve it');
  expect((await f.press({ ...press, user: APPROVER, actionTs: `${Date.now() / 1000}` })).status).toBe(200);
}

async function scorecards(): Promise<Scorecard[]> {
  const records = new RedisWorkflowRecords(f.redis, f.prefix, 'dr-drill');
  return (await records.list('scorecards:checkout')).map((c) => Scorecard.parse(c));
}

describe('a DR drill end to end (HAProxy, knot DNS, Redis replica, load generator, signed Slack)', () => {
  it('canary → approval by another user → batches → DNS switched → monitoring → "fail back" → primary serves 100% again, DNS restored, scorecard with RTO within target', async () => {
    const runId = await startBySlack('start checkout');
    await approveBySlack(runId);

    // Fail-back choice: by then the secondary serves everything and DNS points at it.
    const { ts, plan } = await f.card(runId, 'failback-choice');
    expect(await weights()).toEqual({ west1: 0, central1: 100 });
    expect(await apiRecord()).toEqual(['198.51.100.10']);
    expect(await regionsServing(f.env.haproxy.frontendUrl, 10)).toEqual({ 'eu-central': 10 });
    expect((await f.engine.get(runId)).tasks.find((t) => t.taskId === 'monitoring')?.state).toBe('success');
    await f.press({
      actionId: `${MARSHAL_CHOOSE_PREFIX}fail-back`,
      value: encodeGateActionValue({
        runId,
        gateId: 'failback-choice',
        option: 'fail-back',
        ...(plan ? { plan } : {}),
      }),
      messageTs: ts,
      user: APPROVER,
    });

    const run = await f.finished(runId);
    expect(run.state).toBe('succeeded');
    expect(await weights()).toEqual(BASELINE);
    expect(await apiRecord()).toEqual(['192.0.2.10']);
    expect(await regionsServing(f.env.haproxy.frontendUrl, 10)).toEqual({ 'eu-west': 10 });

    const [card] = (await scorecards()).filter((c) => c.runId === runId);
    expect(card).toMatchObject({
      outcome: 'completed',
      rtoMet: true,
      failback: 'fail-back',
      rollbackMs: null,
    });
    expect(card!.users.requests).toBeGreaterThan(0);
    expect(card!.replicationLagSeconds).not.toBeNull();
    expect(f.notes.find((n) => n.runId === runId && n.title.endsWith('scorecard'))?.text).toContain('(met)');
    const recap = f.notes.find((n) => n.runId === runId && n.title.endsWith('recap'))?.text ?? '';
    for (const piece of ['canary 5%', 'batch 25%', 'batch 50%', 'batch 100%', 'DNS switched to eu-central'])
      expect(recap).toContain(piece);

    // Each phase's record is in the second sink too, in the order the phases ended.
    const second = (await readFile(f.auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { runId: string; kind: string; data: { share?: number } })
      .filter((e) => e.runId === runId);
    const kinds = second.map((e) => e.kind);
    for (const kind of [
      'drdrill.validation.dry-runs',
      'drdrill.pre-checks.incidents',
      'drdrill.execution.canary',
      'drdrill.dns',
      'drdrill.execution.batches',
      'drdrill.monitoring',
      'drdrill.failback',
      'drdrill.scorecard',
    ])
      expect(kinds).toContain(kind);
    expect(second.filter((e) => e.kind === 'drdrill.shift').map((e) => e.data.share)).toEqual([
      5, 25, 50, 100,
    ]);

    // `/drdrill history checkout` shows it.
    expect((await f.command(REQUESTER, 'history checkout')).status).toBe(200);
    await until(() =>
      f.notes.some((n) => n.title === 'DR drill history: checkout' && n.text.includes(runId.slice(0, 12))),
    );
  }, 180_000);

  it('secondary failing its checks at the 25% step → traffic back on the primary at once; the scorecard shows the rollback', async () => {
    const runId = await f.engine.start({
      workflow: 'dr-drill',
      params: { scenario: 'checkout' },
      requester: REQUESTER,
    });
    await f.event((e) => e.type === 'gate.waiting' && e.runId === runId);
    // The canary passed; the secondary breaks before the next step.
    f.env.secondary[0]!.behaviour = { kind: 'failing' };
    try {
      await f.engine.decide({ runId, gateId: 'execution.approval', decision: 'approve', by: APPROVER });
      const run = await f.finished(runId);
      expect(run.state).toBe('failed');
      expect(taskOf(run, 'execution.batches')?.error).toContain('25% on eu-central');
      expect(taskOf(run, 'rollback')?.state).toBe('success');
      expect(await weights()).toEqual(BASELINE);
      expect(await apiRecord()).toEqual(['192.0.2.10']);
      const [card] = (await scorecards()).filter((c) => c.runId === runId);
      expect(card).toMatchObject({ outcome: 'rolled-back', reachedShare: 25, rtoMs: null });
      expect(card!.rollbackMs).toBeGreaterThan(0);
      expect(f.alerts.find((a) => a.runId === runId && a.title.endsWith('rolled back'))?.text).toContain(
        'Traffic is back on eu-west',
      );
    } finally {
      f.env.secondary[0]!.behaviour = { kind: 'healthy' };
    }
  }, 180_000);

  it('an open incident refuses the drill, naming its title and link; nothing moves', async () => {
    f.incidents.push({
      id: 'PINC42',
      title: 'Checkout latency in eu-west',
      status: 'acknowledged',
      html_url: 'https://pd.example.com/incidents/PINC42',
    });
    try {
      const runId = await f.engine.start({
        workflow: 'dr-drill',
        params: { scenario: 'checkout' },
        requester: REQUESTER,
      });
      const run = await f.finished(runId);
      expect(run.state).toBe('failed');
      const error = taskOf(run, 'pre-checks.incidents')?.error ?? '';
      expect(error).toContain('Checkout latency in eu-west');
      expect(error).toContain('https://pd.example.com/incidents/PINC42');
      expect(taskOf(run, 'execution.canary')?.state).toBe('upstream_failed');
      expect(await weights()).toEqual(BASELINE);
    } finally {
      f.incidents.length = 0;
    }
  }, 120_000);

  it('a dry run changes neither HAProxy nor DNS, and shows the plan', async () => {
    const seen = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        seen.add(JSON.stringify(await weights()));
        seen.add((await apiRecord()).join(','));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const runId = await startBySlack('start checkout --dry-run');
    const run = await f.finished(runId);
    watching = false;
    await watch;
    expect(run.state).toBe('succeeded');
    expect(run.dryRun).toBe(true);
    expect([...seen].sort()).toEqual([JSON.stringify(BASELINE), '192.0.2.10'].sort());
    expect(f.notes.find((n) => n.runId === runId)?.text).toContain('batch 25%: west1=75 central1=25');
    expect((await scorecards()).some((c) => c.runId === runId)).toBe(false);
  }, 120_000);
});
