import { scrubSecrets } from '../../log/index.js';

/** Platform errors that the same call will meet again: retrying them only adds noise. */
const PERMANENT = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'message_not_found',
  'cant_update_message',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
]);

interface WebApiErrorLike {
  code?: unknown;
  data?: { error?: unknown };
  message?: unknown;
}

export function isPermanentSlackError(err: unknown): boolean {
  const e = err as WebApiErrorLike;
  return (
    e?.code === 'slack_webapi_platform_error' &&
    typeof e.data?.error === 'string' &&
    PERMANENT.has(e.data.error)
  );
}

/** What is safe to log of a Web API failure: code, Slack's error string, a scrubbed message. Never the request. */
export function describeSlackError(err: unknown): { code?: string; slackError?: string; message: string } {
  const e = err as WebApiErrorLike;
  const out: { code?: string; slackError?: string; message: string } = {
    message: scrubSecrets(err instanceof Error ? err.message : String(err)),
  };
  if (typeof e?.code === 'string') out.code = e.code;
  if (typeof e?.data?.error === 'string') out.slackError = e.data.error;
  return out;
}
