import { mrkdwn, type SlackMessage } from './block-kit.js';
import { BLOCK_LIMITS, fitMessage, truncate } from './limits.js';
import { escapeMrkdwn, who } from './mrkdwn.js';
import { scrubSecrets } from '../../log/index.js';

/** An alert a workflow raises in a run's thread, mentioning the people and user groups named. */
export function renderAlert(input: { title: string; text: string; to: readonly string[] }): SlackMessage {
  // User groups (S…) are mentioned with Slack's subteam syntax; users and anything else through `who`.
  const mentions = input.to.map((p) => (/^S[A-Z0-9]{2,}$/.test(p) ? `<!subteam^${p}>` : who(p))).join(' ');
  const head = `:rotating_light: *${escapeMrkdwn(input.title)}* ${mentions}`;
  const body = escapeMrkdwn(scrubSecrets(input.text));
  const text = truncate(`${head}\n${body}`, BLOCK_LIMITS.sectionText);
  return fitMessage({
    text: truncate(`${input.title}: ${scrubSecrets(input.text)}`, 300),
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  });
}

/** A note in a run's thread (a recap, a scorecard): no mentions, code blocks kept as written. */
export function renderNote(input: { title: string; text: string }): SlackMessage {
  const body = scrubSecrets(input.text);
  const text = truncate(`*${escapeMrkdwn(input.title)}*\n${escapeMrkdwn(body)}`, BLOCK_LIMITS.sectionText);
  return fitMessage({
    text: truncate(`${input.title}: ${body}`, 300),
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  });
}
