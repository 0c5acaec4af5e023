import { createHmac, randomBytes } from 'node:crypto';

/**
 * Builds requests as Slack sends them, signed with Slack's v0 scheme
 * (`v0=` + HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret), and sends them with fetch.
 */
export function slackSignature(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  secret: string;
  /** Seconds since the epoch; default now. */
  timestampSec?: number;
  /** Overrides the signature; `null` sends none (and no timestamp). */
  signature?: string | null;
  /** Default `application/x-www-form-urlencoded` (commands, interactions); events come as JSON. */
  contentType?: string;
}

export interface SlackResponse {
  status: number;
  text: string;
  /** The JSON body when there is one (an ack with a message). */
  json: Record<string, unknown> | undefined;
}

export async function sendSigned(url: string, body: string, options: SendOptions): Promise<SlackResponse> {
  const ts = options.timestampSec ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
  };
  if (options.signature !== null) {
    headers['x-slack-request-timestamp'] = String(ts);
    headers['x-slack-signature'] = options.signature ?? slackSignature(options.secret, ts, body);
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

export const newTriggerId = (): string => `${Date.now()}.${randomBytes(6).toString('hex')}`;

export interface CommandFields {
  command: string;
  text: string;
  user: string;
  channel?: string;
  triggerId?: string;
  responseUrl?: string;
}

/** A slash command's form-encoded body, with the fields Slack sends. */
export function commandBody(f: CommandFields): string {
  return new URLSearchParams({
    token: 'legacy-verification-token-unused',
    team_id: 'T0MARSHAL',
    team_domain: 'marshal-local',
    channel_id: f.channel ?? 'C0MARSHAL',
    channel_name: 'marshal-ops',
    user_id: f.user,
    user_name: f.user.toLowerCase(),
    command: f.command,
    text: f.text,
    api_app_id: 'A0MARSHAL',
    is_enterprise_install: 'false',
    response_url: f.responseUrl ?? 'http://127.0.0.1:9/commands/T0MARSHAL/1/unused',
    trigger_id: f.triggerId ?? newTriggerId(),
  }).toString();
}

export interface ButtonPress {
  actionId: string;
  value: string;
  user: string;
  channel?: string;
  messageTs: string;
  /** Distinct per click in Slack; reuse one to replay a click. */
  actionTs?: string;
  triggerId?: string;
}

/** A `block_actions` interaction: form field `payload` holding the JSON Slack sends for a button click. */
export function blockActionBody(p: ButtonPress): string {
  const channel = p.channel ?? 'C0MARSHAL';
  const payload = {
    type: 'block_actions',
    user: { id: p.user, username: p.user.toLowerCase(), name: p.user.toLowerCase(), team_id: 'T0MARSHAL' },
    api_app_id: 'A0MARSHAL',
    token: 'legacy-verification-token-unused',
    container: { type: 'message', message_ts: p.messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: p.triggerId ?? newTriggerId(),
    team: { id: 'T0MARSHAL', domain: 'marshal-local' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'marshal-ops' },
    message: { type: 'message', ts: p.messageTs, text: 'approval card', user: 'U0MARSHALBOT' },
    state: { values: {} },
    response_url: 'http://127.0.0.1:9/actions/T0MARSHAL/1/unused',
    actions: [
      {
        type: 'button',
        action_id: p.actionId,
        block_id: 'marshal_gate_actions',
        text: { type: 'plain_text', text: p.actionId },
        value: p.value,
        action_ts: p.actionTs ?? `${(Date.now() / 1000).toFixed(6)}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The `app_home_opened` event Slack sends (JSON, Events API) when a user opens the app's Home tab. */
export function appHomeOpenedBody(
  user: string,
  options: { tab?: 'home' | 'messages'; viewId?: string } = {},
): string {
  return JSON.stringify({
    token: 'legacy-verification-token-unused',
    team_id: 'T0MARSHAL',
    api_app_id: 'A0MARSHAL',
    event: {
      type: 'app_home_opened',
      user,
      channel: `D0${user.slice(1)}`,
      tab: options.tab ?? 'home',
      event_ts: `${(Date.now() / 1000).toFixed(6)}`,
      ...(options.viewId ? { view: { id: options.viewId, type: 'home' } } : {}),
    },
    type: 'event_callback',
    event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
  });
}

export interface HomeButtonPress {
  actionId: string;
  value: string;
  user: string;
  /** The id of the Home view the button was on (views.publish answered it). */
  viewId: string;
  actionTs?: string;
}

/** A `block_actions` interaction from a button on the app's Home tab: a view container, no channel. */
export function homeActionBody(p: HomeButtonPress): string {
  const payload = {
    type: 'block_actions',
    user: { id: p.user, username: p.user.toLowerCase(), name: p.user.toLowerCase(), team_id: 'T0MARSHAL' },
    api_app_id: 'A0MARSHAL',
    token: 'legacy-verification-token-unused',
    container: { type: 'view', view_id: p.viewId },
    trigger_id: newTriggerId(),
    team: { id: 'T0MARSHAL', domain: 'marshal-local' },
    enterprise: null,
    is_enterprise_install: false,
    view: { id: p.viewId, type: 'home', team_id: 'T0MARSHAL', blocks: [], private_metadata: '' },
    actions: [
      {
        type: 'button',
        action_id: p.actionId,
        block_id: 'home',
        text: { type: 'plain_text', text: p.actionId },
        value: p.value,
        action_ts: p.actionTs ?? `${(Date.now() / 1000).toFixed(6)}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
