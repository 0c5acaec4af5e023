import type { RollbackOutcome } from '../../engine/engine.js';
import { summariseList } from './limits.js';
import { escapeMrkdwn, slackDate, who } from './mrkdwn.js';

/** What a Roll back request came to, for the person who asked (button or `/ops rollback`). Pure. */
export function describeRollback(runId: string, outcome: RollbackOutcome): string {
  if (outcome.applied)
    return `:rewind: Rolling back run \`${escapeMrkdwn(runId)}\`: ${escapeMrkdwn(summariseList(outcome.hosts))} go back to what they had. The thread says when it is done.`;
  if (outcome.why === 'already')
    return `:information_source: Run \`${escapeMrkdwn(runId)}\` was already rolled back at the request of ${who(outcome.by ?? 'unknown')}${outcome.at ? ` ${slackDate(outcome.at, '{time}')}` : ''}; nothing more was done.`;
  return `:information_source: Run \`${escapeMrkdwn(runId)}\` left no host to restore: every host it changed was restored already. Nothing was done.`;
}
