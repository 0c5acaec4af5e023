import { WebClient, WebClientEvent, type WebAPIPlatformError } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderThreadAsText, SlackStandin } from '../../../src/local/slack-standin/index.js';

const TOKEN = 'xoxb-1-2-standin';
const CHANNEL = 'C0MARSHAL';
/** Retries without p-retry's own growing pauses, so only Retry-After sets the pace. */
const FAST_RETRY = { retries: 10, minTimeout: 0, maxTimeout: 1 };

function client(standin: SlackStandin, token = TOKEN): WebClient {
  return new WebClient(token, { slackApiUrl: standin.url, retryConfig: FAST_RETRY });
}

async function platformError(call: Promise<unknown>): Promise<WebAPIPlatformError['data']> {
  try {
    await call;
  } catch (err) {
    return (err as WebAPIPlatformError).data;
  }
  throw new Error('the call was expected to fail and did not');
}

describe('Slack stand-in driven by the real @slack/web-api WebClient', () => {
  let standin: SlackStandin;
  beforeEach(async () => {
    standin = await SlackStandin.start({
      token: TOKEN,
      users: [
        { id: 'U0ALICE', name: 'alice', realName: 'Alice Approver' },
        { id: 'U0BOB', name: 'bob' },
      ],
      usergroups: [{ id: 'S0APPROVERS', handle: 'ops-approvers', users: ['U0ALICE'] }],
      rateLimits: { updatePerMessageMs: 0 },
    });
  });
  afterEach(() => standin.stop());

  it('answers auth.test with the bot identity and a url ending in /api/', async () => {
    expect(standin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const res = await client(standin).auth.test();
    expect(res).toMatchObject({
      ok: true,
      user_id: 'U0MARSHALBOT',
      team_id: 'T0MARSHAL',
      bot_id: 'B0MARSHAL',
    });
  });

  it('refuses a wrong token with invalid_auth and a missing one with not_authed', async () => {
    expect(await platformError(client(standin, 'xoxb-wrong').auth.test())).toMatchObject({
      ok: false,
      error: 'invalid_auth',
    });
    expect(
      await platformError(new WebClient(undefined, { slackApiUrl: standin.url }).auth.test()),
    ).toMatchObject({
      ok: false,
      error: 'not_authed',
    });
  });

  it('accepts the token as a form field and JSON bodies with a bearer header', async () => {
    const form = await fetch(`${standin.url}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    expect(await form.json()).toMatchObject({ ok: true });
    const json = await fetch(`${standin.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: CHANNEL, text: 'hi', blocks: [{ type: 'divider' }] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, channel: CHANNEL });
    expect(standin.messages(CHANNEL)[0]).toMatchObject({ text: 'hi', blocks: [{ type: 'divider' }] });
  });

  it('posts, threads, edits and reads the thread back as a user sees it', async () => {
    const web = client(standin);
    const parent = await web.chat.postMessage({ channel: '#marshal-ops', text: 'run started' });
    expect(parent.channel).toBe(CHANNEL);
    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    const reply = await web.chat.postMessage({
      channel: CHANNEL,
      thread_ts: parent.ts!,
      text: 'canary done',
    });
    await web.chat.update({ channel: CHANNEL, ts: parent.ts!, text: 'run finished', blocks: [] });
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));

    const thread = standin.thread(CHANNEL, parent.ts!);
    expect(thread.map((m) => m.text)).toEqual(['run finished', 'canary done']);
    expect(thread[0]!.edits).toBe(1);
    expect(standin.messages(CHANNEL)).toHaveLength(1);
    const link = await web.chat.getPermalink({ channel: CHANNEL, message_ts: reply.ts! });
    expect(link.permalink).toContain(
      `/archives/${CHANNEL}/p${reply.ts!.replace('.', '')}?thread_ts=${parent.ts}`,
    );
    expect(renderThreadAsText(thread)).toMatch(/run finished[\s\S]*│ canary done/);
  });

  it('refuses unknown channels and edits of an unknown ts', async () => {
    const web = client(standin);
    expect(await platformError(web.chat.postMessage({ channel: 'C0NOPE', text: 'x' }))).toMatchObject({
      error: 'channel_not_found',
    });
    expect(
      await platformError(web.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'x' })),
    ).toMatchObject({
      error: 'message_not_found',
    });
    expect(await platformError(web.chat.postMessage({ channel: CHANNEL, text: '' }))).toMatchObject({
      error: 'no_text',
    });
    expect(
      await platformError(web.chat.postMessage({ channel: CHANNEL, text: 'x'.repeat(40_001) })),
    ).toMatchObject({
      error: 'msg_too_long',
    });
  });

  it('enforces Block Kit limits: 50 blocks, 3,000 chars per section, 150 per header', async () => {
    const web = client(standin);
    const divider = { type: 'divider' as const };
    await web.chat.postMessage({ channel: CHANNEL, text: 'ok', blocks: Array(50).fill(divider) });
    const tooMany = await platformError(
      web.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: Array(51).fill(divider) }),
    );
    expect(tooMany).toMatchObject({ error: 'invalid_blocks' });
    expect(tooMany.response_metadata?.messages?.[0]).toContain('no more than 50 items allowed');

    const longSection = {
      type: 'section' as const,
      text: { type: 'mrkdwn' as const, text: 'y'.repeat(3001) },
    };
    const section = await platformError(
      web.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [longSection] }),
    );
    expect(section.response_metadata?.messages).toEqual([
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);

    const header = { type: 'header' as const, text: { type: 'plain_text' as const, text: 'h'.repeat(151) } };
    expect(
      await platformError(web.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [header] })),
    ).toMatchObject({
      error: 'invalid_blocks',
    });
    expect(standin.messages(CHANNEL)).toHaveLength(1);
  });

  it('serves users.info, usergroups.users.list, conversations.info and ephemerals from the seed', async () => {
    const web = client(standin);
    expect((await web.users.info({ user: 'U0ALICE' })).user).toMatchObject({
      id: 'U0ALICE',
      real_name: 'Alice Approver',
    });
    expect(await platformError(web.users.info({ user: 'U0NOBODY' }))).toMatchObject({
      error: 'user_not_found',
    });
    expect((await web.usergroups.users.list({ usergroup: 'S0APPROVERS' })).users).toEqual(['U0ALICE']);
    expect(await platformError(web.usergroups.users.list({ usergroup: 'S0NOPE' }))).toMatchObject({
      error: 'no_such_subteam',
    });
    expect((await web.conversations.info({ channel: CHANNEL })).channel).toMatchObject({
      id: CHANNEL,
      name: 'marshal-ops',
    });
    const eph = await web.chat.postEphemeral({ channel: CHANNEL, user: 'U0BOB', text: 'only for bob' });
    expect(eph.message_ts).toBeDefined();
    expect(standin.ephemerals(CHANNEL, 'U0BOB').map((e) => e.text)).toEqual(['only for bob']);
  });

  it('records every call with its arguments and response, and never the token', async () => {
    await client(standin).chat.postMessage({ channel: CHANNEL, text: 'recorded' });
    const call = standin.calls.at(-1)!;
    expect(call).toMatchObject({
      method: 'chat.postMessage',
      status: 200,
      args: { channel: CHANNEL, text: 'recorded' },
    });
    expect(call.response.ok).toBe(true);
    expect(JSON.stringify(standin.calls)).not.toContain(TOKEN);
  });
});

describe('Slack stand-in rate limits', () => {
  let standin: SlackStandin;
  afterEach(() => standin.stop());

  it('answers 429 with Retry-After, and WebClient waits that long and then succeeds', async () => {
    standin = await SlackStandin.start({ token: TOKEN });
    standin.rateLimitStorm({ calls: 2, retryAfterSec: 1 });
    const web = client(standin);
    const limited: number[] = [];
    web.on(WebClientEvent.RATE_LIMITED, (sec: number) => limited.push(sec));
    const res = await web.chat.postMessage({ channel: CHANNEL, text: 'after the storm' });
    expect(res.ok).toBe(true);
    expect(limited).toEqual([1, 1]);
    const attempts = standin.calls.filter((c) => c.method === 'chat.postMessage');
    expect(attempts.map((c) => c.status)).toEqual([429, 429, 200]);
    expect(attempts[0]!.response).toEqual({ ok: false, error: 'ratelimited' });
    // WebClient paused at least Retry-After (1 s) before each retry.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(990);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(990);
    expect(standin.messages(CHANNEL).map((m) => m.text)).toEqual(['after the storm']);
  });

  it('limits edits of one message and per-minute tiers, and lets rejectRateLimitedCalls surface the 429', async () => {
    standin = await SlackStandin.start({
      token: TOKEN,
      rateLimits: { updatePerMessageMs: 60_000, perMinute: { 'users.info': 2 } },
    });
    const web = new WebClient(TOKEN, { slackApiUrl: standin.url, rejectRateLimitedCalls: true });
    const posted = await web.chat.postMessage({ channel: CHANNEL, text: 'v1' });
    await web.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'v2' });
    await expect(web.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'v3' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 60,
    });
    expect(standin.message(CHANNEL, posted.ts!)!.text).toBe('v2');
    await expect(web.auth.test()).resolves.toMatchObject({ ok: true });
    standin.settings.users.push({
      id: 'U0X',
      name: 'x',
      isBot: false,
      deleted: false,
      isAdmin: false,
      tz: 'UTC',
    });
    await web.users.info({ user: 'U0X' });
    await web.users.info({ user: 'U0X' });
    await expect(web.users.info({ user: 'U0X' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
    });
  });

  it('allows a burst of posts per channel and then asks to slow down to one per second', async () => {
    standin = await SlackStandin.start({ token: TOKEN, rateLimits: { postMessageBurst: 3 } });
    const web = new WebClient(TOKEN, { slackApiUrl: standin.url, rejectRateLimitedCalls: true });
    for (const n of [1, 2, 3]) await web.chat.postMessage({ channel: CHANNEL, text: `burst ${n}` });
    await expect(web.chat.postMessage({ channel: CHANNEL, text: 'one too many' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 1,
    });
  });
});
