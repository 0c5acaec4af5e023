import type { RunSnapshot } from '../../engine/model/run.js';
import { mrkdwn, plain, type Block, type SlackMessage } from './block-kit.js';
import { fitMessage, summariseList } from './limits.js';
import { runControlButtons } from './run-controls.js';
import { freezeBanner } from './freeze-banner.js';
import { escapeMrkdwn, slackDate, who } from './mrkdwn.js';
import {
  formatCount,
  formatDuration,
  runFacts,
  stageLabel,
  STATE_EMOJI,
  type RenderContext,
} from './run-facts.js';

/**
 * The run's one parent message, edited in place as the run goes: what runs, who asked, where it is,
 * how far, how long, and where the audit record is. Its size does not grow with the number of hosts.
 */
export function renderRunParent(run: RunSnapshot, ctx: RenderContext): SlackMessage {
  const f = runFacts(run, ctx);
  const waiting = f.waitingGate !== undefined && run.finishedAt === undefined;
  const emoji = waiting ? ':raised_hand:' : STATE_EMOJI[run.state];
  const stateText = waiting ? 'waiting for approval' : run.state;
  const dry = run.dryRun ? ' [DRY RUN]' : '';

  const hosts = [`${formatCount(f.done)} ok`, `${formatCount(f.failed)} failed`];
  const hostsLine =
    f.total !== undefined ? `${hosts.join(' · ')} of ${formatCount(f.total)}` : hosts.join(' · ');
  const time =
    f.remainingMs !== undefined
      ? `${formatDuration(f.elapsedMs)} (about ${formatDuration(f.remainingMs)} left)`
      : formatDuration(f.elapsedMs);
  const stage = f.stage
    ? `${stageLabel(f.stage)}: ${formatCount(f.stage.done + f.stage.failed)}/${formatCount(f.stage.total)}`
    : '—';

  const blocks: Block[] = [
    { type: 'header', text: plain(`${emoji} ${run.workflow}${dry} — ${stateText}`) },
    ...freezeBanner(ctx.freeze),
    {
      type: 'section',
      fields: [
        mrkdwn(`*Requested by*\n${who(run.requester)}`),
        mrkdwn(`*Phase*\n\`${escapeMrkdwn(f.phase)}\``),
        mrkdwn(`*Stage*\n${stage}`),
        mrkdwn(`*Hosts*\n${hostsLine}`),
        mrkdwn(`*Elapsed*\n${time}`),
        mrkdwn(`*Run*\n\`${escapeMrkdwn(run.runId)}\``),
      ],
    },
  ];
  if (f.failedTargets.length) {
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Failed:* ${escapeMrkdwn(summariseList(f.failedTargets))}`),
    });
  }
  const notes: string[] = [];
  if (run.dryRun) notes.push(':test_tube: *Dry run*: nothing is changed on hosts');
  if (run.holdRequested && run.finishedAt === undefined) notes.push(':double_vertical_bar: hold requested');
  if (run.abortRequested && run.finishedAt === undefined) notes.push(':octagonal_sign: abort requested');
  notes.push(`Started ${slackDate(run.createdAt)}`);
  notes.push(`Audit: \`${escapeMrkdwn(ctx.auditRef ?? run.runId)}\``);
  blocks.push({ type: 'context', elements: [mrkdwn(notes.join(' · '))] });
  const controls = runControlButtons(run);
  if (controls) blocks.push(controls);

  const text = `${run.workflow}${dry} ${stateText}: ${f.done} ok, ${f.failed} failed (run ${run.runId})`;
  return fitMessage({ text, blocks });
}
