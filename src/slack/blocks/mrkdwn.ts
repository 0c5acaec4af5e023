import { scrubSecrets } from '../../log/index.js';
import { truncate } from './limits.js';

/** Slack's mrkdwn treats only `&`, `<` and `>` as control characters (docs: "Escaping text"). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack user id becomes a mention; anything else (`cli:alice`) is shown as escaped text. */
export function who(id: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

/** Slack renders `<!date^…>` in each reader's time zone; the fallback is ISO UTC. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(seconds)) return escapeMrkdwn(iso);
  return `<!date^${seconds}^${format}|${new Date(seconds * 1000).toISOString()}>`;
}

/**
 * Host output shown to people: secrets scrubbed, only the last lines (where errors are), code-fenced
 * without letting the output close the fence itself.
 */
/** An error message in a code block: scrubbed of secrets, its start kept (where it says what was wrong). */
export function errorExcerpt(error: string, maxChars = 700): string {
  const body = escapeMrkdwn(truncate(scrubSecrets(error).replace(/```/g, "'''").trim(), maxChars));
  return '```' + (body || '(no message)') + '```';
}

export function outputExcerpt(
  output: string,
  options: { maxLines?: number; maxChars?: number } = {},
): string {
  const maxLines = options.maxLines ?? 5;
  const maxChars = options.maxChars ?? 400;
  const lines = scrubSecrets(output).replace(/\r/g, '').trimEnd().split('\n');
  const tail = lines.slice(-maxLines).join('\n');
  const clipped = tail.length > maxChars ? `…${tail.slice(tail.length - maxChars + 1)}` : tail;
  const body = escapeMrkdwn(clipped.replace(/```/g, "'''"));
  return '```' + truncate(body || '(no output)', maxChars + 50) + '```';
}
