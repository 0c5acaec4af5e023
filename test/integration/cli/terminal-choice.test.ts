import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTerminal } from '../../../src/cli/terminal-run.js';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

describe('marshal run at a choice gate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('terminal-choice'));
  });
  afterAll(async () => h.close());

  it('waits for another person to choose (never whoever types here), refuses the requester, and goes on with the choice', async () => {
    const dir = tempDir();
    const printed: string[] = [];
    const opened = new Map<string, (g: { runId: string; plan: string }) => void>();
    const gate = (id: string) =>
      new Promise<{ runId: string; plan: string }>((resolve) => opened.set(id, resolve));
    const go = gate('go');
    const waiting = gate('next');
    const sub = await h.engine.events.subscribe((e) => {
      if (e.type === 'gate.waiting' && e.requester === 'cli:alice')
        opened.get(e.gateId)?.({ runId: e.runId, plan: e.planHash! });
    });
    const ended = runInTerminal({
      engine: h.engine,
      request: { workflow: 'drill', params: { dir }, dryRun: false },
      requester: 'cli:alice',
      autoApprove: false,
      print: (line) => printed.push(line),
    });
    const first = await go;
    await h.engine.decide({
      runId: first.runId,
      gateId: 'go',
      decision: 'approve',
      by: 'cli:bob',
      planHash: first.plan,
    });
    const { runId, plan } = await waiting;
    await expect(
      h.engine.decide({
        runId,
        gateId: 'next',
        decision: 'approve',
        option: 'stay',
        by: 'cli:alice',
        planHash: plan,
      }),
    ).rejects.toThrow(/cli:alice .*cannot/);
    await h.engine.decide({
      runId,
      gateId: 'next',
      decision: 'approve',
      option: 'stay',
      by: 'cli:carol',
      planHash: plan,
    });
    const end = await ended;
    await sub.close();
    expect(end.state).toBe('succeeded');
    expect(printed.join('\n')).toContain('waiting for another person to choose');
    expect(printed.join('\n')).toContain(
      `marshal approve ${runId} --gate next --option <id> --plan ${plan.slice(0, 12)}`,
    );
    expect(end.gates.find((g) => g.gateId === 'next')).toMatchObject({
      choice: 'stay',
      decidedBy: 'cli:carol',
    });
    expect(JSON.parse(readFileSync(join(dir, 'act.json'), 'utf8'))).toEqual({
      choice: 'stay',
      approvedBy: 'cli:bob',
    });
  });
});
