import { describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../../../../src/engine/model/run.js';
import { ValidationError } from '../../../../src/errors/index.js';
import {
  decodeGateActionValue,
  MARSHAL_ABORT,
  MARSHAL_APPROVE,
  MARSHAL_HOLD,
  MARSHAL_REJECT,
  renderApprovalCard,
  renderDecidedCard,
  renderErrorForUser,
  renderEphemeralError,
  renderFinalSummary,
  renderRunParent,
  renderStageDone,
  summariseList,
  type Button,
  type SlackMessage,
} from '../../../../src/slack/blocks/index.js';
import { assertValidMessage, fencesBalanced } from '../../../support/slack/block-kit-schema.js';
import { RunModel, rolloutEvents } from '../../../support/slack/run-model.js';

const NOW = { now: new Date('2025-03-01T10:30:00Z') };

function runAfter(
  script: Parameters<typeof rolloutEvents>[0],
  until?: (e: ReturnType<typeof rolloutEvents>[number]) => boolean,
): RunSnapshot {
  const model = new RunModel();
  for (const e of rolloutEvents(script)) {
    model.apply(e);
    if (until?.(e)) break;
  }
  return model.get(script.runId);
}

const allText = (m: SlackMessage) => JSON.stringify(m);
const buttons = (m: SlackMessage): Button[] =>
  m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));

describe('summariseList', () => {
  it('names the first items and counts the rest', () => {
    const hosts = Array.from({ length: 414 }, (_, i) => `web-${String(i + 1).padStart(2, '0')}`);
    const line = summariseList(hosts, { maxItems: 2 });
    expect(line).toBe('web-01, web-02 … and 412 more');
  });
  it('stays within its character budget with long names', () => {
    const names = Array.from({ length: 50 }, (_, i) => `${'x'.repeat(120)}-${i}`);
    expect(summariseList(names, { maxChars: 300 }).length).toBeLessThanOrEqual(300);
  });
});

describe('run parent message', () => {
  it('shows workflow, requester, state, phase, stage, hosts, elapsed and audit reference', () => {
    const run = runAfter(
      { runId: 'r-1', hosts: 40, canary: 2, batches: 2 },
      (e) => e.type === 'stage.progress' && e.progress.stage === 'batch' && e.progress.done === 5,
    );
    const msg = renderRunParent(run, { ...NOW, totalTargets: 40, auditRef: 'audit:r-1' });
    assertValidMessage(msg);
    const text = allText(msg);
    expect(msg.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: ':hourglass_flowing_sand: config-push — running' },
    });
    expect(text).toContain('<@U0REQUESTER>');
    expect(text).toContain('`execution.batches`');
    expect(text).toContain('batch 1/2: 5/19');
    expect(text).toContain('7 ok · 0 failed of 40');
    expect(text).toMatch(/\(about (\d+h )?\d+m( \d+s)? left\)/);
    expect(text).toContain('audit:r-1');
  });

  it('wears a dry-run badge and says when it waits for approval', () => {
    const run = runAfter({ runId: 'r-2', hosts: 10, canary: 2, batches: 2, dryRun: true, stopAtGate: true });
    const msg = renderRunParent(run, NOW);
    expect(msg.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: ':raised_hand: config-push [DRY RUN] — waiting for approval' },
    });
    expect(allText(msg)).toContain('Dry run');
  });

  it('ends in the final state with no estimate left', () => {
    const run = runAfter({ runId: 'r-3', hosts: 20, canary: 2, batches: 2, failRate: 0.2, seed: 7 });
    const msg = renderRunParent(run, NOW);
    expect(msg.blocks[0]).toMatchObject({ text: { text: ':white_check_mark: config-push — succeeded' } });
    expect(allText(msg)).not.toContain('left)');
    expect(allText(msg)).toContain('*Failed:*');
  });
});

describe('milestones', () => {
  it('reports a batch with failures, excerpts scrubbed of secrets and code fences closed', () => {
    const run = runAfter({
      runId: 'r-4',
      hosts: 30,
      canary: 2,
      batches: 2,
      failRate: 0.5,
      seed: 3,
      errorText: (h) =>
        `connecting to ${h}\nexport TOKEN=xoxb-1234567890-abcdefghij\npassword=hunter2\n\`\`\`boom <script>`,
    });
    const stage = {
      rolloutId: 'execution',
      stage: 'batch' as const,
      batchIndex: 1,
      batchCount: 2,
      total: 14,
      done: 7,
      failed: 7,
      inFlight: 0,
    };
    const msg = renderStageDone(run, stage, NOW);
    assertValidMessage(msg);
    const text = allText(msg);
    expect(text).toContain('Batch 1/2 done: 7 ok, 7 failed of 14');
    expect(text).not.toContain('xoxb-1234567890');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('&lt;script&gt;');
    expect(fencesBalanced(msg)).toBe(true);
    expect(text).toContain('in the audit record');
  });

  it('closes the run with what changed, where, how long, who approved and the audit reference', () => {
    const run = runAfter({ runId: 'r-5', hosts: 12, canary: 2, batches: 2, approver: 'U0ALICE' });
    const msg = renderFinalSummary(run, { ...NOW, auditRef: 'audit:r-5' });
    assertValidMessage(msg);
    const text = allText(msg);
    expect(msg.blocks[0]).toMatchObject({ type: 'header' });
    expect(text).toMatch(/Changed\*\\n\d+ hosts/);
    expect(text).toContain('approved by <@U0ALICE>');
    expect(text).toContain('*Where:* web-0001');
    expect(text).toContain('audit:r-5');
    expect(msg.text).toMatch(/config-push succeeded: \d+ changed, 0 failed in \d+s/);
  });

  it('lists hosts whose restore failed or is unknown, and does not count restored hosts as changed', () => {
    const run = runAfter({ runId: 'r-6', hosts: 4, canary: 1, batches: 1, approver: 'U0ALICE' });
    const [a, b, c, d] = run.targets;
    const withRestores: RunSnapshot = {
      ...run,
      targets: [
        { ...a!, ok: true, changed: true, restore: 'restored' },
        {
          ...b!,
          ok: false,
          changed: false,
          error: 'reload timed out',
          restore: 'failed',
          restoreError: 'host down',
        },
        { ...c!, ok: false, changed: false, error: 'reload timed out', restore: 'unknown' },
        { ...d!, ok: true, changed: true },
      ],
    };
    const msg = renderFinalSummary(withRestores, NOW);
    assertValidMessage(msg);
    const text = allText(msg);
    expect(text).toContain('NOT restored (2)');
    expect(text).toContain('restore failed: host down');
    expect(text).toContain('restore unknown');
    expect(text).toContain(`*Restored (1):* ${a!.target}`);
    expect(text).toMatch(/Changed\*\\n1 host\b/);
  });
});

describe('dry-run milestones', () => {
  // A dry run's hosts are planned: the engine records them ok and unchanged, with the step's plan as summary.
  const planned = (run: RunSnapshot): RunSnapshot => ({
    ...run,
    targets: run.targets.map((t, i) => ({
      ...t,
      ok: true,
      changed: false,
      error: undefined,
      summary: `/etc/app.conf: +${i} −1 lines\n  @@ line 3\n  -old\n  +new`,
    })),
  });

  it('closes with the plan per host (first line each), never "0 changed"', () => {
    const run = planned(runAfter({ runId: 'r-9', hosts: 25, canary: 0, batches: 1, dryRun: true }));
    const msg = renderFinalSummary(run, NOW);
    assertValidMessage(msg);
    const text = allText(msg);
    expect(text).toMatch(/\*Planned\*\\n25 hosts \(nothing changed\)/);
    expect(text).not.toContain('Already as wanted');
    expect(text).toContain(`• \`${run.targets[0]!.target}\`: /etc/app.conf: +0 −1 lines`);
    expect(text).not.toContain('@@ line 3');
    expect(text).toContain('… and 5 more hosts');
    expect(msg.text).toMatch(/config-push \[dry run\] succeeded: 25 planned, 0 failed/);
  });

  it('a stage of a dry run lists what each of its hosts would get', () => {
    const run = planned(runAfter({ runId: 'r-10', hosts: 4, canary: 0, batches: 1, dryRun: true }));
    const stage = {
      rolloutId: 'execution',
      stage: 'batch' as const,
      batchIndex: 1,
      batchCount: 1,
      total: 4,
      done: 4,
      failed: 0,
      inFlight: 0,
    };
    const msg = renderStageDone(
      { ...run, targets: run.targets.map((t) => ({ ...t, stage: 'batch', batchIndex: 1 })) },
      stage,
      NOW,
    );
    assertValidMessage(msg);
    for (const t of run.targets) expect(allText(msg)).toContain(`\`${t.target}\`: /etc/app.conf:`);
  });
});

describe('final summary of a failed run', () => {
  it('says why: each task that failed itself, with the start of its error; not the tasks skipped after it', () => {
    const base = runAfter({ runId: 'r-11', hosts: 4, canary: 1, batches: 1 });
    const long = `Config push: selector: "role=database" matches no host in the inventory; ${'x'.repeat(2000)}`;
    const run: RunSnapshot = {
      ...base,
      state: 'failed',
      targets: [],
      tasks: [
        { taskId: 'validation.targets', state: 'failed', attempt: 1, error: long },
        { taskId: 'pre-checks.hosts', state: 'upstream_failed', attempt: 0 },
      ],
    };
    const msg = renderFinalSummary(run, NOW);
    assertValidMessage(msg);
    const text = allText(msg);
    expect(text).toContain('`validation.targets` failed:*');
    expect(text).toContain('selector: \\"role=database\\" matches no host in the inventory');
    expect(text).not.toContain('pre-checks.hosts');
  });
});

describe('approval card', () => {
  const run = runAfter({ runId: 'r-6', hosts: 20, canary: 3, batches: 4, stopAtGate: true });
  const gate = run.gates[0]!;

  it('shows the evidence and Approve, Reject, Hold, Abort buttons whose values carry only runId and gateId', () => {
    const card = renderApprovalCard(run, gate);
    assertValidMessage(card);
    const text = allText(card);
    expect(text).toContain('*Canary:* 3 ok, 0 failed of 3');
    expect(text).toContain('nginx -t');
    expect(text).toContain('+gzip off;');
    const [approve, reject, hold, abort] = buttons(card);
    expect([approve!.action_id, reject!.action_id, hold!.action_id, abort!.action_id]).toEqual([
      MARSHAL_APPROVE,
      MARSHAL_REJECT,
      MARSHAL_HOLD,
      MARSHAL_ABORT,
    ]);
    expect(approve!.style).toBe('primary');
    expect(abort!.style).toBe('danger');
    expect(abort!.confirm).toMatchObject({ confirm: { text: 'Abort' }, style: 'danger' });
    for (const b of buttons(card)) {
      expect(JSON.parse(b.value)).toEqual({ runId: 'r-6', gateId: 'execution.approval' });
      expect(b.value).not.toContain('U0REQUESTER');
      expect(decodeGateActionValue(b.value)).toEqual({ runId: 'r-6', gateId: 'execution.approval' });
    }
  });

  it('refuses button values with extra fields (no identity smuggled in)', () => {
    expect(decodeGateActionValue(JSON.stringify({ runId: 'r', gateId: 'g', user: 'U1' }))).toBeUndefined();
    expect(decodeGateActionValue('not json')).toBeUndefined();
  });

  it('once decided says who and when, and has no buttons', () => {
    const decided = renderDecidedCard(run, {
      ...gate,
      state: 'approved',
      decidedBy: 'U0ALICE',
      decidedAt: '2025-03-01T10:20:00Z',
    });
    assertValidMessage(decided);
    expect(buttons(decided)).toHaveLength(0);
    expect(allText(decided)).toContain('Approved by <@U0ALICE>');
    expect(allText(decided)).toContain('<!date^1740824400^');
    const timedOut = renderDecidedCard(run, { ...gate, state: 'timed_out' });
    expect(allText(timedOut)).toContain('rejected (fails closed)');
  });

  it('shows evidence of an unknown shape as scrubbed JSON', () => {
    const card = renderApprovalCard(run, {
      gateId: 'g',
      evidence: ['odd', { apiKey: 'api_key=abc123secret' }],
    });
    assertValidMessage(card);
    expect(allText(card)).not.toContain('abc123secret');
  });
});

describe('ephemeral errors', () => {
  it('say what failed, which part, what is allowed and how to type it', () => {
    const msg = renderEphemeralError({
      title: 'Cannot start config push',
      problem: 'batch size 0 is not allowed',
      field: '--batches',
      allowed: 'whole numbers ≥ 1 or percentages like 25%',
      usage: '/config push <bundle> --hosts <selector> [--batches 1,10%,50%]',
    });
    assertValidMessage(msg);
    const text = allText(msg);
    for (const part of [
      'Cannot start config push',
      '`--batches`',
      'percentages like 25%',
      'Usage: `/config push &lt;bundle&gt;',
    ]) {
      expect(text).toContain(part);
    }
  });

  it('turns a ValidationError into the field and message of its first issue', () => {
    const err = new ValidationError('bad', [
      { path: 'hosts', message: 'no host matches "db-*"' },
      { path: 'batches[0]', message: 'must be ≥ 1' },
    ]);
    const msg = renderErrorForUser(err, 'Cannot start', '/config push …');
    assertValidMessage(msg);
    expect(allText(msg)).toContain('`hosts`');
    expect(allText(msg)).toContain('and 1 more problems');
  });
});

describe('fitMessage, the last guard', () => {
  it('brings an oversized message within every limit and keeps code fences closed', async () => {
    const { fitMessage } = await import('../../../../src/slack/blocks/index.js');
    const big: SlackMessage = {
      text: 'x'.repeat(50_000),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(400) } },
        ...Array.from({ length: 80 }, () => ({
          type: 'section' as const,
          text: { type: 'mrkdwn' as const, text: '```' + 'y'.repeat(5000) + '```' },
        })),
      ],
    };
    const fitted = fitMessage(big);
    assertValidMessage(fitted);
    expect(fencesBalanced(fitted)).toBe(true);
    expect(fitted.blocks).toHaveLength(50);
    expect(allText(fitted.blocks.at(-1) as never)).toContain('32 more blocks left out');
  });
});
