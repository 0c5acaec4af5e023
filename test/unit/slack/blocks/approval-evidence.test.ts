import { describe, expect, it } from 'vitest';
import { approvalEvidence } from '../../../../src/engine/model/evidence.js';
import type { RunSnapshot } from '../../../../src/engine/model/run.js';
import {
  MARSHAL_ABORT_KEEP,
  MARSHAL_APPROVE,
  renderApprovalCard,
  type SlackMessage,
} from '../../../../src/slack/blocks/index.js';
import { summarizeDiff } from '../../../../src/bundles/diff-summary.js';
import { assertValidMessage } from '../../../support/slack/block-kit-schema.js';

const PLAN = 'a'.repeat(64);

const run: RunSnapshot = {
  runId: 'r-ev',
  workflow: 'config-push',
  requester: 'U0REQ',
  dryRun: false,
  state: 'running',
  abortRequested: false,
  holdRequested: false,
  createdAt: '2025-03-01T10:00:00Z',
  params: {},
  meta: {},
  tasks: [],
  gates: [
    {
      gateId: 'execution.approval',
      state: 'waiting',
      rolloutId: 'execution',
      planHash: PLAN,
      quorum: 2,
      approvers: ['U0ALICE'],
    },
  ],
  progress: [],
  targets: [],
};

/** The sections' text, as approvers read it. */
const sections = (m: SlackMessage): string[] =>
  m.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));

describe('approval card evidence (the schema workflows and the card share)', () => {
  // What config push gives its gate (workflows/config-push/reporting.ts), built with the same schema.
  const diff = summarizeDiff('rate: 10\nburst: 5\n', 'rate: 20\nburst: 5\n');
  const evidence = approvalEvidence({
    summary: 'Canary of rate-limiter 1.4.0 done on 1 host(s); 3 more after approval.',
    identity: {
      Bundle: 'rate-limiter',
      Version: '1.4.0',
      sha256: 'f'.repeat(64),
      'Target file': '/etc/rl.yaml',
    },
    canary: [{ host: 'web-01', ok: true, changed: true, summary: 'reloaded', error: null }],
    diff: { host: 'web-01', file: '/etc/rl.yaml', headline: diff.headline, preview: diff.preview },
    logs: [{ title: 'nginx -t on web-01', lines: ['syntax is ok', 'test is successful'] }],
    facts: { 'Hosts after approval': 3 },
  });

  it('renders the diff, identity, canary, logs and facts as readable sections, never as JSON', () => {
    const card = renderApprovalCard(run, { gateId: 'execution.approval', evidence });
    assertValidMessage(card);
    const text = sections(card).join('\n');
    expect(text).toContain('*Diff on `web-01` `/etc/rl.yaml`: +1 −1 lines*');
    expect(text).toContain('- rate: 10');
    expect(text).toContain('+ rate: 20');
    expect(text).toContain('*Bundle:* rate-limiter');
    expect(text).toContain('*Version:* 1.4.0');
    expect(text).toContain(':white_check_mark: `web-01` — reloaded');
    expect(text).toContain('*nginx -t on web-01*');
    expect(text).toContain('test is successful');
    expect(text).toContain('*Hosts after approval:* 3');
    expect(text).toContain('*Approvals:* 1 of 2 needed — <@U0ALICE>');
    // No JSON object reaches approvers.
    expect(text).not.toMatch(/[{]\s*"/);
    expect(JSON.stringify(card)).toContain(`Plan \`${PLAN.slice(0, 12)}\``);
  });

  it('buttons carry the plan hash; a rollout gate offers Abort and Abort-keep-canary', () => {
    const card = renderApprovalCard(run, { gateId: 'execution.approval', evidence });
    const elements = card.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    const approve = elements.find((e) => e.action_id === MARSHAL_APPROVE);
    expect(JSON.parse(approve!.value)).toEqual({ runId: 'r-ev', gateId: 'execution.approval', plan: PLAN });
    expect(elements.map((e) => e.action_id)).toContain(MARSHAL_ABORT_KEEP);
  });

  it('evidence off the schema is named, not dumped', () => {
    const card = renderApprovalCard(run, {
      gateId: 'execution.approval',
      evidence: { diff: { before: 'x', after: 'y' } },
    });
    const text = sections(card).join('\n');
    expect(text).toContain('does not match the approval evidence schema (`diff`');
    expect(text).not.toContain('"before"');
  });

  it('approvalEvidence refuses what the card could not render, naming the field', () => {
    expect(() => approvalEvidence({ checks: [{ name: 'x' } as never] })).toThrow(/checks\.0\.ok/);
  });
});
