import { z } from 'zod';
import type { GateOption, GateSnapshot, RunSnapshot } from '../../engine/model/run.js';
import { scrubSecrets } from '../../log/index.js';
import {
  GATE_ACTIONS_BLOCK_ID,
  MARSHAL_ABORT,
  MARSHAL_APPROVE,
  MARSHAL_CHOOSE_PREFIX,
  MARSHAL_HOLD,
  encodeGateActionValue,
} from './action-ids.js';
import { mrkdwn, plain, type Block, type Button, type SlackMessage } from './block-kit.js';
import { fitMessage, summariseList, truncate } from './limits.js';
import { escapeMrkdwn, slackDate, who } from './mrkdwn.js';
import { formatCount } from './run-facts.js';

/**
 * What approvers may be shown, as workflows give it (`ApprovalGateSpec.evidence`). Every field is
 * optional and unknown fields are kept, so a workflow can add evidence without breaking the card;
 * evidence of another shape is shown as scrubbed JSON.
 */
export const ApprovalEvidence = z.looseObject({
  summary: z.string().optional(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })).optional(),
  diff: z.string().optional(),
  dryRun: z.string().optional(),
});
export type ApprovalEvidence = z.infer<typeof ApprovalEvidence>;

const DIFF_CHARS = 2_400;

export interface GateView {
  gateId: string;
  evidence?: unknown;
  expiresAt?: string;
  /** Absent: an approval. */
  kind?: 'approval' | 'choice';
  prompt?: string;
  options?: readonly GateOption[];
  defaultOption?: string;
}

/**
 * The card that asks for a decision: Approve / Hold / Abort for an approval gate (between a rollout's
 * canary and its batches, or anywhere in a workflow), one button per option (and Abort) for a choice.
 */
export function renderApprovalCard(run: RunSnapshot, gate: GateView): SlackMessage {
  const choice = gate.kind === 'choice';
  const fallback = gate.options?.find((o) => o.id === gate.defaultOption);
  const onTimeout = fallback
    ? `*${escapeMrkdwn(fallback.label)}* is taken automatically if undecided by`
    : 'rejected automatically if undecided by';
  const blocks: Block[] = [
    {
      type: 'header',
      text: plain(
        `:raised_hand: ${choice ? 'Decision' : 'Approval'} needed: ${run.workflow}${run.dryRun ? ' [DRY RUN]' : ''}`,
      ),
    },
    ...(gate.prompt ? [{ type: 'section', text: mrkdwn(`*${escapeMrkdwn(gate.prompt)}*`) } as Block] : []),
    ...evidenceBlocks(run, gate.evidence),
    {
      type: 'context',
      elements: [
        mrkdwn(
          [
            `Requested by ${who(run.requester)} (who cannot ${choice ? 'decide' : 'approve'} their own run)`,
            gate.expiresAt ? `${onTimeout} ${slackDate(gate.expiresAt)}` : undefined,
            `run \`${escapeMrkdwn(run.runId)}\``,
          ]
            .filter(Boolean)
            .join(' · '),
        ),
      ],
    },
    choice ? choiceButtons(run.runId, gate.gateId, gate.options ?? []) : gateButtons(run.runId, gate.gateId),
  ];
  return fitMessage({
    text: `${choice ? 'Decision' : 'Approval'} needed for ${run.workflow} (run ${run.runId}) requested by ${run.requester}`,
    blocks,
  });
}

/** The same card once decided: who decided and when; the buttons are gone so nobody presses them again. */
export function renderDecidedCard(run: RunSnapshot, gate: GateSnapshot): SlackMessage {
  const chosen = gate.options?.find((o) => o.id === gate.choice);
  const verdict = chosen
    ? gate.state === 'timed_out'
      ? `:alarm_clock: Not decided in time: *${escapeMrkdwn(chosen.label)}* taken (the default)`
      : `:white_check_mark: *${escapeMrkdwn(chosen.label)}* chosen by ${who(gate.decidedBy ?? 'unknown')}`
    : gate.state === 'approved'
      ? `:white_check_mark: Approved by ${who(gate.decidedBy ?? 'unknown')}`
      : gate.state === 'timed_out'
        ? ':alarm_clock: Not decided in time: rejected (fails closed)'
        : `:no_entry: Rejected by ${who(gate.decidedBy ?? 'unknown')}`;
  const when = gate.decidedAt ? ` ${slackDate(gate.decidedAt)}` : '';
  const blocks: Block[] = [
    {
      type: 'header',
      text: plain(
        `${gate.kind === 'choice' ? 'Decision' : 'Approval'} for ${run.workflow}${run.dryRun ? ' [DRY RUN]' : ''}: ${gate.state.replace('_', ' ')}`,
      ),
    },
    ...(gate.prompt ? [{ type: 'section', text: mrkdwn(`*${escapeMrkdwn(gate.prompt)}*`) } as Block] : []),
    {
      type: 'section',
      text: mrkdwn(`${verdict}${when}${gate.reason ? `\n>${escapeMrkdwn(gate.reason)}` : ''}`),
    },
    ...evidenceBlocks(run, gate.evidence),
    {
      type: 'context',
      elements: [mrkdwn(`Requested by ${who(run.requester)} · run \`${escapeMrkdwn(run.runId)}\``)],
    },
  ];
  return fitMessage({
    text: `${run.workflow}: approval ${gate.state.replace('_', ' ')}${gate.decidedBy ? ` by ${gate.decidedBy}` : ''}`,
    blocks,
  });
}

function gateButtons(runId: string, gateId: string): Block {
  const value = encodeGateActionValue({ runId, gateId });
  return {
    type: 'actions',
    block_id: GATE_ACTIONS_BLOCK_ID,
    elements: [
      { type: 'button', text: plain('Approve'), action_id: MARSHAL_APPROVE, value, style: 'primary' },
      { type: 'button', text: plain('Hold'), action_id: MARSHAL_HOLD, value },
      abortButton(value),
    ],
  };
}

/** One button per option (in the workflow's order), then Abort; Slack allows 25 elements per block. */
function choiceButtons(runId: string, gateId: string, options: readonly GateOption[]): Block {
  return {
    type: 'actions',
    block_id: GATE_ACTIONS_BLOCK_ID,
    elements: [
      ...options.slice(0, 24).map((o): Button => ({
        type: 'button',
        text: plain(truncate(o.label, 75)),
        action_id: `${MARSHAL_CHOOSE_PREFIX}${o.id}`,
        value: encodeGateActionValue({ runId, gateId, option: o.id }),
      })),
      abortButton(encodeGateActionValue({ runId, gateId })),
    ],
  };
}

function abortButton(value: string): Button {
  return {
    type: 'button',
    text: plain('Abort'),
    action_id: MARSHAL_ABORT,
    value,
    style: 'danger',
    confirm: {
      title: plain('Abort this run?'),
      text: mrkdwn(
        'No new hosts are started; hosts in flight finish, then cleanup runs. This cannot be undone.',
      ),
      confirm: plain('Abort'),
      deny: plain('Keep running'),
      style: 'danger',
    },
  };
}

function evidenceBlocks(run: RunSnapshot, raw: unknown): Block[] {
  const canary = run.targets.filter((t) => t.stage === 'canary');
  const blocks: Block[] = [];
  if (canary.length) {
    const ok = canary.filter((t) => t.ok);
    const failed = canary.filter((t) => !t.ok).map((t) => t.target);
    const lines = [
      `*Canary:* ${formatCount(ok.length)} ok, ${formatCount(failed.length)} failed of ${formatCount(canary.length)}`,
    ];
    if (failed.length) lines.push(`Failed: ${escapeMrkdwn(summariseList(failed))}`);
    const samples = ok.filter((t) => t.summary).slice(0, 3);
    for (const t of samples)
      lines.push(`• \`${escapeMrkdwn(t.target)}\`: ${escapeMrkdwn(truncate(scrubSecrets(t.summary!), 200))}`);
    blocks.push({ type: 'section', text: mrkdwn(lines.join('\n')) });
  }
  if (raw === undefined || raw === null) return blocks;
  const parsed = ApprovalEvidence.safeParse(raw);
  if (!parsed.success) {
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Evidence*\n\`\`\`${escapeMrkdwn(truncate(scrubSecrets(JSON.stringify(raw, null, 1)), DIFF_CHARS))}\`\`\``,
      ),
    });
    return blocks;
  }
  const evidence = parsed.data;
  if (evidence.summary)
    blocks.push({ type: 'section', text: mrkdwn(escapeMrkdwn(scrubSecrets(evidence.summary))) });
  if (evidence.checks?.length) {
    const failing = evidence.checks.filter((c) => !c.ok);
    const shown = [...failing, ...evidence.checks.filter((c) => c.ok)].slice(0, 15);
    const lines = shown.map(
      (c) =>
        `${c.ok ? ':white_check_mark:' : ':x:'} ${escapeMrkdwn(c.name)}${c.detail ? ` — ${escapeMrkdwn(truncate(scrubSecrets(c.detail), 150))}` : ''}`,
    );
    if (evidence.checks.length > shown.length)
      lines.push(`… and ${evidence.checks.length - shown.length} more checks`);
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Checks:* ${evidence.checks.length - failing.length}/${evidence.checks.length} passed\n${lines.join('\n')}`,
      ),
    });
  }
  if (evidence.diff) blocks.push(codeSection('Diff', evidence.diff));
  if (evidence.dryRun) blocks.push(codeSection('Dry-run plan', evidence.dryRun));
  return blocks;
}

function codeSection(title: string, body: string): Block {
  const clean = escapeMrkdwn(scrubSecrets(body).replace(/```/g, "'''"));
  const lines = clean.split('\n');
  const shown = truncate(lines.slice(0, 40).join('\n'), DIFF_CHARS);
  const more = lines.length > 40 ? `\n… ${lines.length - 40} more lines` : '';
  return { type: 'section', text: mrkdwn(`*${title}*\n\`\`\`${shown}${more}\`\`\``) };
}
