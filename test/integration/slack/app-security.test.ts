import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL,
  REQUESTER,
  SIGNING_SECRET,
  startSlackAppFixture,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';
import { testRedisUrl } from '../../support/redis.js';
import {
  commandBody,
  newTriggerId,
  sendSigned,
  slackSignature,
} from '../../../src/local/slack-standin/signed-requests.js';

let f: SlackAppFixture;
beforeAll(async () => {
  f = await startSlackAppFixture(testRedisUrl());
});
afterAll(() => f?.close());

const push = (triggerId = newTriggerId()) =>
  commandBody({ user: REQUESTER, command: '/config', text: 'push nginx to web-1,web-2', triggerId });

async function runsStarted(): Promise<number> {
  return (await f.engine.list({ limit: 100 })).length;
}

describe('Slack request verification over HTTP', () => {
  it('refuses an unsigned request with 401 and starts nothing', async () => {
    const before = await runsStarted();
    const res = await f.send(push(), { signature: null });
    expect(res.status).toBe(401);
    expect(await runsStarted()).toBe(before);
  });

  it('refuses a request signed with another secret with 401', async () => {
    const before = await runsStarted();
    const res = await sendSigned(f.url, push(), { secret: 'another-secret-entirely-00000000' });
    expect(res.status).toBe(401);
    expect(await runsStarted()).toBe(before);
  });

  it('refuses a body changed after signing with 401', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const signature = slackSignature(SIGNING_SECRET, ts, push());
    const res = await f.send(commandBody({ user: REQUESTER, command: '/ops', text: 'abort r-1' }), {
      timestampSec: ts,
      signature,
    });
    expect(res.status).toBe(401);
  });

  it('refuses a correctly signed request more than 5 minutes old with 401', async () => {
    const before = await runsStarted();
    const res = await f.send(push(), { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    expect(await runsStarted()).toBe(before);
  });

  it('refuses a correctly signed request dated in the future (beyond 60 s of skew) with 401', async () => {
    const before = await runsStarted();
    for (const ahead of [2 * 60, 6 * 60, 24 * 3600]) {
      const res = await f.send(push(), { timestampSec: Math.floor(Date.now() / 1000) + ahead });
      expect(res.status, `${ahead}s ahead`).toBe(401);
    }
    expect(await runsStarted()).toBe(before);
  });

  it('accepts a correctly signed request within the clock skew allowance', async () => {
    const res = await f.send(commandBody({ user: REQUESTER, command: '/ops', text: 'help' }), {
      timestampSec: Math.floor(Date.now() / 1000) + 20,
    });
    expect(res.status).toBe(200);
  });

  it('starts one run when the same signed command is sent twice (replay)', async () => {
    const before = await runsStarted();
    const body = push();
    const ts = Math.floor(Date.now() / 1000);
    const first = await f.send(body, { timestampSec: ts });
    const replay = await f.send(body, { timestampSec: ts });
    expect([first.status, replay.status]).toEqual([200, 200]);
    await f.ephemeral(REQUESTER, 'Started');
    expect((await f.logged('replayed slash command ignored')).trigger).toBeDefined();
    expect(await runsStarted()).toBe(before + 1);
    expect(
      f.standin
        .accepted('chat.postEphemeral')
        .filter((c) => c.args.channel === CHANNEL && String(c.args.text).includes('Started')),
    ).toHaveLength(1);
  });
});
