import { ApprovalEvidence, type EvidenceDiff } from '../../engine/model/evidence.js';
import type { GateOption, GateSnapshot, RunSnapshot } from '../../engine/model/run.js';
import { shortPlanHash } from '../../engine/runtime/plan-hash.js';
import { scrubSecrets } from '../../log/index.js';
import {
  GATE_ACTIONS_BLOCK_ID,
  MARSHAL_ABORT,
  MARSHAL_ABORT_KEEP,
  MARSHAL_APPROVE,
  MARSHAL_CHOOSE_PREFIX,
  MARSHAL_HOLD,
  MARSHAL_REJECT,
  encodeGateActionValue,
  type GateActionValue,
} from './action-ids.js';
import { mrkdwn, plain, type Block, type Button, type SlackMessage } from './block-kit.js';
import { fitMessage, summariseList, truncate } from './limits.js';
import { escapeMrkdwn, slackDate, who } from './mrkdwn.js';
import { formatCount, type RenderContext } from './run-facts.js';
import { freezeBanner } from './freeze-banner.js';

/** The schema workflows write their evidence with (src/engine/model/evidence.ts); the card renders it. */
export { ApprovalEvidence };

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
  /** The plan a decision on this card approves; the buttons carry it. */
  planHash?: string;
  /** Distinct approvers needed, when more than one, and who approved so far. */
  quorum?: number;
  approvers?: readonly string[];
}

/**
 * The card that asks for a decision: Approve / Hold / Abort for an approval gate (between a rollout's
 * canary and its batches, or anywhere in a workflow), one button per option (and Abort) for a choice.
 */
export function renderApprovalCard(
  run: RunSnapshot,
  gate: GateView,
  ctx: Pick<RenderContext, 'freeze'> = {},
): SlackMessage {
  const choice = gate.kind === 'choice';
  const known = run.gates.find((g) => g.gateId === gate.gateId);
  const planHash = gate.planHash ?? known?.planHash;
  const quorum = gate.quorum ?? known?.quorum;
  const approvers = gate.approvers ?? known?.approvers ?? [];
  const atRollout = known?.rolloutId !== undefined;
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
    ...freezeBanner(ctx.freeze),
    ...(gate.prompt ? [{ type: 'section', text: mrkdwn(`*${escapeMrkdwn(gate.prompt)}*`) } as Block] : []),
    ...evidenceBlocks(run, gate.evidence),
    ...(quorum && quorum > 1 ? [approvalsSection(quorum, approvers)] : []),
    {
      type: 'context',
      elements: [
        mrkdwn(
          [
            planHash
              ? `Plan \`${shortPlanHash(planHash)}\` (a decision here approves this plan only)`
              : undefined,
            `Requested by ${who(run.requester)} (who cannot ${choice ? 'decide' : 'approve'} their own run)`,
            gate.expiresAt ? `${onTimeout} ${slackDate(gate.expiresAt)}` : undefined,
            `run \`${escapeMrkdwn(run.runId)}\``,
          ]
            .filter(Boolean)
            .join(' · '),
        ),
      ],
    },
    choice
      ? choiceButtons(run.runId, gate.gateId, gate.options ?? [], planHash)
      : gateButtons(
          { runId: run.runId, gateId: gate.gateId, ...(planHash ? { plan: planHash } : {}) },
          atRollout,
        ),
  ];
  return fitMessage({
    text: `${choice ? 'Decision' : 'Approval'} needed for ${run.workflow} (run ${run.runId}) requested by ${run.requester}`,
    blocks,
  });
}

/** A card whose plan changed under it: no buttons; the new card follows in the thread. */
export function renderSupersededCard(run: RunSnapshot, gate: GateView, newPlan: string): SlackMessage {
  return fitMessage({
    text: `${run.workflow}: the plan changed; this approval card no longer applies`,
    blocks: [
      { type: 'header', text: plain(`Approval for ${run.workflow}: plan changed`) },
      {
        type: 'section',
        text: mrkdwn(
          `:recycle: The plan changed after this card was posted${gate.planHash ? ` (was \`${shortPlanHash(gate.planHash)}\`)` : ''}: it is now \`${shortPlanHash(newPlan)}\`. Decide on the new card below; approvals given here do not count.`,
        ),
      },
      { type: 'context', elements: [mrkdwn(`run \`${escapeMrkdwn(run.runId)}\``)] },
    ],
  });
}

function approvalsSection(quorum: number, approvers: readonly string[]): Block {
  const so = approvers.length ? approvers.map((a) => who(a)).join(', ') : 'nobody yet';
  return {
    type: 'section',
    text: mrkdwn(`*Approvals:* ${approvers.length} of ${quorum} needed — ${so}`),
  };
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

function gateButtons(target: GateActionValue, atRollout: boolean): Block {
  const value = encodeGateActionValue(target);
  return {
    type: 'actions',
    block_id: GATE_ACTIONS_BLOCK_ID,
    elements: [
      { type: 'button', text: plain('Approve'), action_id: MARSHAL_APPROVE, value, style: 'primary' },
      rejectButton(value),
      { type: 'button', text: plain('Hold'), action_id: MARSHAL_HOLD, value },
      abortButton(value, atRollout),
      ...(atRollout ? [keepButton(value)] : []),
    ],
  };
}

/** One button per option (in the workflow's order), then Abort; Slack allows 25 elements per block. */
function choiceButtons(
  runId: string,
  gateId: string,
  options: readonly GateOption[],
  plan: string | undefined,
): Block {
  const p = plan ? { plan } : {};
  return {
    type: 'actions',
    block_id: GATE_ACTIONS_BLOCK_ID,
    elements: [
      ...options.slice(0, 24).map((o): Button => ({
        type: 'button',
        text: plain(truncate(o.label, 75)),
        action_id: `${MARSHAL_CHOOSE_PREFIX}${o.id}`,
        value: encodeGateActionValue({ runId, gateId, option: o.id, ...p }),
      })),
      abortButton(encodeGateActionValue({ runId, gateId, ...p }), false),
    ],
  };
}

function rejectButton(value: string): Button {
  return {
    type: 'button',
    text: plain('Reject'),
    action_id: MARSHAL_REJECT,
    value,
    confirm: {
      title: plain('Reject this plan?'),
      text: mrkdwn('The gate fails: the run rolls back what it changed and ends as failed.'),
      confirm: plain('Reject'),
      deny: plain('Back'),
      style: 'danger',
    },
  };
}

/** Abort; at a rollout's gate it rolls the canary back (as Argo Rollouts' abort returns to stable). */
export function abortButton(value: string, atRollout: boolean): Button {
  return {
    type: 'button',
    text: plain(atRollout ? 'Abort (roll back canary)' : 'Abort'),
    action_id: MARSHAL_ABORT,
    value,
    style: 'danger',
    confirm: {
      title: plain('Abort this run?'),
      text: mrkdwn(
        atRollout
          ? 'No more hosts are started and the canary is rolled back, then cleanup runs. This cannot be undone.'
          : 'No new hosts are started; hosts in flight finish, then cleanup runs. This cannot be undone.',
      ),
      confirm: plain('Abort'),
      deny: plain('Keep running'),
      style: 'danger',
    },
  };
}

/** The second abort at a rollout's gate: stop, but leave the canary hosts changed. */
function keepButton(value: string): Button {
  return {
    type: 'button',
    text: plain('Abort, keep canary'),
    action_id: MARSHAL_ABORT_KEEP,
    value,
    confirm: {
      title: plain('Abort and keep the canary?'),
      text: mrkdwn('No more hosts are started; the canary hosts keep the change. This cannot be undone.'),
      confirm: plain('Abort, keep'),
      deny: plain('Back'),
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
    // Never a dump: say what is wrong, so the workflow's author fixes it, and decide on the rest.
    const issue = parsed.error.issues[0];
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `:warning: *Evidence not shown:* the workflow's evidence does not match the approval evidence schema (\`${escapeMrkdwn(issue?.path.join('.') || 'top level')}\`: ${escapeMrkdwn(issue?.message ?? 'invalid')}).`,
      ),
    });
    return blocks;
  }
  const evidence = parsed.data;
  if (evidence.summary)
    blocks.push({ type: 'section', text: mrkdwn(escapeMrkdwn(scrubSecrets(evidence.summary))) });
  if (evidence.identity && Object.keys(evidence.identity).length)
    blocks.push(fieldsSection('What ships', evidence.identity));
  // The run's own canary results are shown above; evidence adds them only when the run has none.
  if (evidence.canary?.length && !canary.length) {
    const lines = evidence.canary
      .slice(0, 10)
      .map(
        (h) =>
          `${h.ok ? ':white_check_mark:' : ':x:'} \`${escapeMrkdwn(h.host)}\`${h.changed === false ? ' (unchanged)' : ''}${
            h.error || h.summary
              ? ` — ${escapeMrkdwn(truncate(scrubSecrets((h.error ?? h.summary)!), 150))}`
              : ''
          }`,
      );
    blocks.push({ type: 'section', text: mrkdwn(`*Canary results*\n${lines.join('\n')}`) });
  }
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
  if (evidence.diff) blocks.push(diffSection(evidence.diff));
  for (const log of evidence.logs?.slice(0, 3) ?? [])
    blocks.push(codeSection(log.title, log.lines.join('\n')));
  if (evidence.dryRun) blocks.push(codeSection('Dry-run plan', evidence.dryRun));
  if (evidence.facts && Object.keys(evidence.facts).length)
    blocks.push(fieldsSection('Facts', evidence.facts));
  return blocks;
}

/** A diff as text, or a summary (headline, then its first changed lines) titled with its host and file. */
function diffSection(diff: EvidenceDiff): Block {
  if (typeof diff === 'string') return codeSection('Diff', diff);
  const where = [diff.host ? `on \`${diff.host}\`` : undefined, diff.file ? `\`${diff.file}\`` : undefined]
    .filter(Boolean)
    .join(' ');
  const title = `Diff${where ? ` ${where}` : ''}: ${diff.headline}`;
  return diff.preview.length
    ? codeSection(title, diff.preview.join('\n'))
    : { type: 'section', text: mrkdwn(`*${escapeMrkdwn(scrubSecrets(title))}*`) };
}

/** Label: value lines (a section's fields would cap at ten and cut values short). */
function fieldsSection(title: string, values: Record<string, string | number | boolean>): Block {
  const lines = Object.entries(values)
    .slice(0, 12)
    .map(([k, v]) => `*${escapeMrkdwn(k)}:* ${escapeMrkdwn(truncate(scrubSecrets(String(v)), 200))}`);
  return { type: 'section', text: mrkdwn(`*${title}*\n${lines.join('\n')}`) };
}

function codeSection(title: string, body: string): Block {
  title = escapeMrkdwn(scrubSecrets(title));
  const clean = escapeMrkdwn(scrubSecrets(body).replace(/```/g, "'''"));
  const lines = clean.split('\n');
  const shown = truncate(lines.slice(0, 40).join('\n'), DIFF_CHARS);
  const more = lines.length > 40 ? `\n… ${lines.length - 40} more lines` : '';
  return { type: 'section', text: mrkdwn(`*${title}*\n\`\`\`${shown}${more}\`\`\``) };
}
