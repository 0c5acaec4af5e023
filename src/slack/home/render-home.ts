import type { Freeze } from '../../control/change-freeze.js';
import { describeFreeze } from '../../control/change-freeze.js';
import type { GateSnapshot, LockInfo, RunSnapshot } from '../../engine/model/run.js';
import {
  MARSHAL_HOME_APPROVE,
  MARSHAL_HOME_REJECT,
  encodeGateActionValue,
  type Block,
} from '../blocks/index.js';
import { escapeMrkdwn, who } from '../blocks/mrkdwn.js';

/** What one user's Home tab shows, gathered by HomeTab. */
export interface HomeFacts {
  /** Gates waiting that this user may decide (not their own runs; the approve right). */
  approvals: { run: RunSnapshot; gate: GateSnapshot }[];
  active: RunSnapshot[];
  locks: LockInfo[];
  freeze: Freeze | undefined;
  /** The outcome of this user's last click on the Home tab, shown once at the top. */
  notice?: string;
}

export interface HomeView {
  type: 'home';
  blocks: Block[];
}

/** Slack's limit for a Home tab; approvals take three blocks each. */
const MAX_APPROVALS = 20;
const MAX_LINES = 25;

/**
 * The Home tab, pure: any freeze first (it refuses new runs), the approvals waiting for this user with
 * Approve and Reject (each bound to the run, the gate and the plan shown), then active runs and locks.
 * At most 100 blocks and 3,000 characters a text, whatever the numbers.
 */
export function renderHome(f: HomeFacts): HomeView {
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: 'Marshal' } }];
  if (f.notice) blocks.push(section(f.notice));
  if (f.freeze)
    blocks.push(section(`:snowflake: *${escapeMrkdwn(describeFreeze(f.freeze))}*: new runs are refused.`));

  blocks.push({
    type: 'header',
    text: { type: 'plain_text', text: `Waiting for your approval (${f.approvals.length})` },
  });
  if (f.approvals.length === 0) blocks.push(context('Nothing waits for you.'));
  for (const { run, gate } of f.approvals.slice(0, MAX_APPROVALS)) {
    const plan = gate.planHash ? ` · plan \`${gate.planHash.slice(0, 12)}\`` : '';
    const until = gate.expiresAt
      ? ` · rejected if undecided by ${gate.expiresAt.slice(0, 16).replace('T', ' ')} UTC`
      : '';
    blocks.push(
      section(
        `*${escapeMrkdwn(run.workflow)}* \`${escapeMrkdwn(run.runId)}\` · ${escapeMrkdwn(gate.gateId)}\nRequested by ${who(run.requester)}${plan}${until}`,
      ),
    );
    if (gate.kind === 'choice') {
      blocks.push(context('A decision between options: make it on the card in the run’s thread.'));
      continue;
    }
    const value = encodeGateActionValue({
      runId: run.runId,
      gateId: gate.gateId,
      ...(gate.planHash ? { plan: gate.planHash } : {}),
    });
    blocks.push({
      type: 'actions',
      block_id: `home:${run.runId}:${gate.gateId}`.slice(0, 255),
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Approve' },
          action_id: MARSHAL_HOME_APPROVE,
          value,
          style: 'primary',
        },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Reject' },
          action_id: MARSHAL_HOME_REJECT,
          value,
          style: 'danger',
        },
      ],
    });
  }
  if (f.approvals.length > MAX_APPROVALS)
    blocks.push(context(`…and ${f.approvals.length - MAX_APPROVALS} more: \`/ops runs\` lists them.`));

  blocks.push(
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: `Active runs (${f.active.length})` } },
  );
  blocks.push(
    f.active.length
      ? section(
          lines(
            f.active.map(
              (r) =>
                `\`${escapeMrkdwn(r.runId)}\` *${escapeMrkdwn(r.workflow)}*${r.dryRun ? ' (dry run)' : ''} — ${waiting(r) ? 'waiting for approval' : r.state}, by ${who(r.requester)}`,
            ),
          ),
        )
      : context('No run is going on.'),
  );

  blocks.push(
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: `Locks (${f.locks.length})` } },
  );
  blocks.push(
    f.locks.length
      ? section(
          lines(
            f.locks.map(
              (l) =>
                `\`${escapeMrkdwn(l.name)}\` held by \`${escapeMrkdwn(l.owner)}\` (${escapeMrkdwn(l.reason)}) until ${l.expiresAt.slice(11, 19)} UTC`,
            ),
          ),
        )
      : context('No locks are held.'),
  );
  return { type: 'home', blocks };
}

function waiting(run: RunSnapshot): boolean {
  return run.gates.some((g) => g.state === 'waiting');
}

function lines(all: string[]): string {
  const shown = all.slice(0, MAX_LINES);
  const more = all.length > shown.length ? `\n…and ${all.length - shown.length} more` : '';
  let text = shown.join('\n');
  if (text.length + more.length > 3000) text = `${text.slice(0, 2900)}…`;
  return text + more;
}

function section(text: string): Block {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: text.length > 3000 ? `${text.slice(0, 2999)}…` : text },
  };
}

function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}
