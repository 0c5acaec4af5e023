import type { RunEventOf } from '../../engine/model/events.js';
import type { RunSnapshot, StageProgress, TargetResult } from '../../engine/model/run.js';
import { mrkdwn, plain, type Block, type SlackMessage } from './block-kit.js';
import { fitMessage, summariseList, truncate } from './limits.js';
import { errorExcerpt, escapeMrkdwn, outputExcerpt, slackDate, who } from './mrkdwn.js';
import {
  formatCount,
  formatDuration,
  runFacts,
  stageLabel,
  STATE_EMOJI,
  type RenderContext,
} from './run-facts.js';
import { counted as countedNoun } from '../../text/counted.js';

/** How many failed hosts get their own output excerpt; the rest are named in one summarised line. */
const MAX_EXCERPTS = 5;

/** Thread reply when a stage (canary or one batch) has finished all its targets. */
export function renderStageDone(run: RunSnapshot, stage: StageProgress, ctx: RenderContext): SlackMessage {
  const results = run.targets.filter((t) => t.stage === stage.stage && t.batchIndex === stage.batchIndex);
  const failures = results.filter((t) => !t.ok);
  const label = stageLabel(stage);
  const emoji = stage.failed > 0 ? ':warning:' : ':white_check_mark:';
  const title = `${emoji} ${capitalise(label)} done: ${formatCount(stage.done)} ok, ${formatCount(stage.failed)} failed of ${formatCount(stage.total)}`;
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(`*${title}*`) }];
  const changed = results.filter((t) => t.ok && t.changed).map((t) => t.target);
  if (changed.length)
    blocks.push({ type: 'context', elements: [mrkdwn(`Changed: ${escapeMrkdwn(summariseList(changed))}`)] });
  if (run.dryRun) blocks.push(...planBlocks(results.filter((t) => t.ok)));
  blocks.push(...restoreBlocks(run.targets));
  blocks.push(...failureBlocks(failures));
  const f = runFacts(run, ctx);
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        `Elapsed ${formatDuration(f.elapsedMs)}${f.remainingMs !== undefined ? ` · about ${formatDuration(f.remainingMs)} left` : ''}`,
      ),
    ],
  });
  return fitMessage({ text: `${run.workflow}: ${title}`, blocks });
}

/** Thread reply for hold, resume, abort and roll back requests. */
export function renderRunControl(run: RunSnapshot, event: RunEventOf<'run.control'>): SlackMessage {
  const what = {
    hold: ':double_vertical_bar: Hold requested: the run pauses after the current batch',
    resume: ':arrow_forward: Resumed: the next batch starts',
    abort: event.atGate
      ? event.rollback
        ? ':octagonal_sign: Aborted at the approval gate: the canary is rolled back'
        : ':octagonal_sign: Aborted at the approval gate: the canary is kept as it is (not rolled back)'
      : event.rollback
        ? ':octagonal_sign: Abort requested, with rollback of the changed hosts'
        : ':octagonal_sign: Abort requested: no new hosts are started',
    rollback: `:rewind: Roll back requested after the end: ${escapeMrkdwn(summariseList(event.hosts ?? []))} go back to what they had`,
  }[event.action];
  const text = `${what} — by ${who(event.by)} ${slackDate(event.at, '{time}')}`;
  return fitMessage({
    text: `${run.workflow}: ${event.action} by ${event.by}`,
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  });
}

/** The closing reply: what changed, where, how long, who approved, and where the audit record is. */
export function renderFinalSummary(run: RunSnapshot, ctx: RenderContext): SlackMessage {
  const f = runFacts(run, ctx);
  // A host put back by the rollback no longer holds the change: it is listed as restored, not changed.
  const changed = run.targets
    .filter((t) => t.ok && t.changed && t.restore === undefined)
    .map((t) => t.target);
  const unchanged = run.targets.filter((t) => t.ok && !t.changed).length;
  const failures = run.targets.filter((t) => !t.ok);
  const approvals = run.gates
    .filter((g) => g.decidedBy !== undefined)
    .map(
      (g) =>
        `${g.state === 'approved' ? 'approved' : g.state.replace('_', ' ')} by ${who(g.decidedBy!)}${g.decidedAt ? ` ${slackDate(g.decidedAt, '{time}')}` : ''}`,
    );
  const timedOut = run.gates.filter((g) => g.state === 'timed_out').length;

  // A dry run's hosts are planned, not changed: what each would get is in its plan, shown per host.
  const planned = run.dryRun ? run.targets.filter((t) => t.ok) : [];
  const blocks: Block[] = [
    {
      type: 'header',
      text: plain(
        `${STATE_EMOJI[run.state]} ${run.workflow}${run.dryRun ? ' [DRY RUN]' : ''} ${run.state} in ${formatDuration(f.elapsedMs)}`,
      ),
    },
    {
      type: 'section',
      fields: [
        ...(run.dryRun
          ? [
              mrkdwn(
                `*Planned*\n${countedNoun(planned.length, 'host', 'hosts', formatCount)} (nothing changed)`,
              ),
            ]
          : [
              mrkdwn(`*Changed*\n${countedNoun(changed.length, 'host', 'hosts', formatCount)}`),
              mrkdwn(`*Already as wanted*\n${countedNoun(unchanged, 'host', 'hosts', formatCount)}`),
            ]),
        mrkdwn(`*Failed*\n${countedNoun(failures.length, 'host', 'hosts', formatCount)}`),
        mrkdwn(
          `*Approval*\n${approvals.length ? approvals.join('\n') : timedOut ? 'timed out (rejected)' : 'none needed'}`,
        ),
        mrkdwn(`*Requested by*\n${who(run.requester)}`),
        mrkdwn(`*Audit*\n\`${escapeMrkdwn(ctx.auditRef ?? run.runId)}\``),
      ],
    },
  ];
  if (changed.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Where:* ${escapeMrkdwn(summariseList(changed, { maxItems: 20, maxChars: 600 }))}`),
    });
  blocks.push(...planBlocks(planned));
  blocks.push(...failedTaskBlocks(run));
  blocks.push(...restoreBlocks(run.targets));
  blocks.push(...failureBlocks(failures));
  const counted = run.dryRun ? `${planned.length} planned` : `${changed.length} changed`;
  const text = `${run.workflow}${run.dryRun ? ' [dry run]' : ''} ${run.state}: ${counted}, ${failures.length} failed in ${formatDuration(f.elapsedMs)} (audit ${ctx.auditRef ?? run.runId})`;
  return fitMessage({ text, blocks });
}

/** How many failed tasks get their error shown; a run rarely has more than one root cause. */
const MAX_TASK_ERRORS = 3;

/**
 * Why the run failed: each task that failed itself (not those skipped because of it), with its error as
 * Marshal wrote it for operators (a refused selector, a bundle field and its rule, a lock's holder). The
 * start of the error is kept: it names what was wrong.
 */
function failedTaskBlocks(run: RunSnapshot): Block[] {
  const failed = run.tasks.filter((t) => t.state === 'failed');
  return failed.slice(0, MAX_TASK_ERRORS).map((t) => ({
    type: 'section',
    text: mrkdwn(`*\`${escapeMrkdwn(t.taskId)}\` failed:*\n${errorExcerpt(t.error ?? 'no error recorded')}`),
  }));
}

/** How many planned hosts get their own line; the rest are counted. */
const MAX_PLAN_LINES = 20;

/** A dry run's per-host plan: one line each, the first line of the step's plan (e.g. a diff headline). */
function planBlocks(planned: readonly TargetResult[]): Block[] {
  if (planned.length === 0) return [];
  const lines = planned
    .slice(0, MAX_PLAN_LINES)
    .map(
      (t) =>
        `• \`${escapeMrkdwn(t.target)}\`: ${escapeMrkdwn(truncate((t.summary ?? 'planned').split('\n')[0]!, 120))}`,
    );
  if (planned.length > MAX_PLAN_LINES)
    lines.push(
      `… and ${formatCount(planned.length - MAX_PLAN_LINES)} more hosts (the audit record has every plan)`,
    );
  return [{ type: 'section', text: mrkdwn(`*Plan per host:*\n${lines.join('\n')}`) }];
}

/** Hosts put back, and first of all those whose restore failed or is unknown: someone must look at them. */
function restoreBlocks(targets: readonly TargetResult[]): Block[] {
  const restored = targets.filter((t) => t.restore === 'restored').map((t) => t.target);
  const notRestored = targets.filter((t) => t.restore === 'failed' || t.restore === 'unknown');
  const blocks: Block[] = [];
  if (notRestored.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*:warning: NOT restored (${formatCount(notRestored.length)}), check by hand:*\n${notRestored
          .slice(0, MAX_EXCERPTS)
          .map(
            (t) =>
              `\`${escapeMrkdwn(t.target)}\` ${t.restore === 'failed' ? `restore failed: ${escapeMrkdwn(t.restoreError ?? 'no error recorded')}` : 'restore unknown: its step failed part-way'}`,
          )
          .join('\n')}`,
      ),
    });
  if (restored.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Restored (${formatCount(restored.length)}):* ${escapeMrkdwn(summariseList(restored))}`),
    });
  return blocks;
}

function failureBlocks(failures: readonly TargetResult[]): Block[] {
  if (failures.length === 0) return [];
  const blocks: Block[] = [
    {
      type: 'section',
      text: mrkdwn(
        `*Failed (${formatCount(failures.length)}):* ${escapeMrkdwn(summariseList(failures.map((t) => t.target)))}`,
      ),
    },
  ];
  for (const failure of failures.slice(0, MAX_EXCERPTS)) {
    const output = failure.error ?? failure.summary ?? '';
    blocks.push({
      type: 'section',
      text: mrkdwn(`\`${escapeMrkdwn(failure.target)}\`\n${outputExcerpt(output)}`),
    });
  }
  if (failures.length > MAX_EXCERPTS) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `Output of the other ${formatCount(failures.length - MAX_EXCERPTS)} failed hosts is in the audit record.`,
        ),
      ],
    });
  }
  return blocks;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The reply that closes a rollback asked for after the end: which hosts are back as they were, which
 * could not be restored (and why), and who asked.
 */
export function renderRollbackDone(run: RunSnapshot, by: string): SlackMessage {
  const restored = run.targets.filter((t) => t.restore === 'restored').map((t) => t.target);
  const failed = run.targets.filter((t) => t.restore === 'failed' || t.restore === 'unknown');
  const ok = failed.length === 0;
  const title = ok
    ? `:rewind: Rolled back: ${countedNoun(restored.length, 'host', 'hosts', formatCount)} restored`
    : `:x: Roll back incomplete: ${countedNoun(failed.length, 'host', 'hosts', formatCount)} not restored`;
  const blocks: Block[] = [
    { type: 'section', text: mrkdwn(`*${title}* — asked by ${who(by)}`) },
    ...(restored.length
      ? [
          {
            type: 'context',
            elements: [mrkdwn(`Restored: ${escapeMrkdwn(summariseList(restored))}`)],
          } as Block,
        ]
      : []),
    ...restoreBlocks(run.targets),
  ];
  return fitMessage({
    text: `${run.workflow}: ${title.replace(/^:[a-z_]+: /, '')} (run ${run.runId})`,
    blocks,
  });
}
