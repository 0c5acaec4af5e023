import type { Freeze } from '../../control/change-freeze.js';
import { mrkdwn, type Block } from './block-kit.js';
import { escapeMrkdwn, slackDate, who } from './mrkdwn.js';

/** The block every card carries while a change freeze is in force: why, until when, and by whom. Pure. */
export function freezeBanner(freeze: Freeze | undefined): Block[] {
  if (!freeze) return [];
  const until = freeze.until ? ` until ${slackDate(freeze.until)}` : '';
  const what =
    freeze.source === 'manual'
      ? `*Change freeze*${until} (set by ${who(freeze.by)}): ${escapeMrkdwn(freeze.reason)}`
      : `*Change freeze* \`${escapeMrkdwn(freeze.window)}\`${until}: ${escapeMrkdwn(freeze.reason)}`;
  return [
    {
      type: 'context',
      elements: [mrkdwn(`:snowflake: ${what} — new runs are refused, except break-glass`)],
    },
  ];
}
