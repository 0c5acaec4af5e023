import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../support/redis.js';
import {
  REQUESTER,
  SIGNING_SECRET,
  startSlackAppFixture,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';
import {
  blockActionBody,
  commandBody,
  sendSigned,
  type SlackResponse,
} from '../../../src/local/slack-standin/signed-requests.js';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';

/**
 * Issue #8 item 6: every signed body Slack could not have sent is refused with 400 before Bolt sees it,
 * every well-formed one no listener takes is answered 200 at once, and neither reaches Bolt. "At once"
 * is shown without a clock: a request Bolt never receives cannot wait for Bolt's 3 s ack timeout, and
 * a global Bolt middleware records every body that does reach it.
 */
let f: SlackAppFixture;
const reached: unknown[] = [];

beforeAll(async () => {
  f = await startSlackAppFixture(testRedisUrl());
  f.slack.app.use(async ({ body, next }) => {
    reached.push(body);
    await next();
  });
});
afterAll(() => f?.close());
beforeEach(() => {
  reached.length = 0;
});

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const json = (body: string): Promise<SlackResponse> =>
  sendSigned(f.url, body, { secret: SIGNING_SECRET, contentType: 'application/json' });

/** A well-formed button press, with `edit` applied to its payload. */
function pressWith(edit: (payload: Record<string, unknown>) => unknown): string {
  const payload = JSON.parse(
    new URLSearchParams(
      blockActionBody({ actionId: MARSHAL_APPROVE, value: '{}', user: REQUESTER, messageTs: '1.000001' }),
    ).get('payload')!,
  ) as Record<string, unknown>;
  return form({ payload: JSON.stringify(edit(payload)) });
}

/** The app still answers a real command, in full: it is alive and serving. */
async function stillServing(): Promise<void> {
  const res = await f.command(REQUESTER, '/ops', 'help');
  expect(res.status).toBe(200);
}

describe('signed but malformed bodies: 400, Bolt never reached', () => {
  const cases: [string, () => Promise<SlackResponse>, RegExp][] = [
    ['payload=null (form)', () => f.send(form({ payload: 'null' })), /null/],
    ['payload=42 (form)', () => f.send(form({ payload: '42' })), /number/],
    ['payload="text" (form)', () => f.send(form({ payload: '"text"' })), /string/],
    ['payload=[] (form)', () => f.send(form({ payload: '[]' })), /array/],
    ['payload that is not JSON (form)', () => f.send(form({ payload: '{"type":' })), /not valid JSON/],
    ['a JSON body of null', () => json('null'), /null/],
    ['a JSON body of true', () => json('true'), /boolean/],
    ['a JSON array', () => json('[{"type":"block_actions"}]'), /array/],
    ['a JSON object that says nothing', () => json('{"hello":"world"}'), /type/],
    ['user: null in a block action', () => f.send(pressWith((p) => ({ ...p, user: null }))), /^user/],
    ['user without an id', () => f.send(pressWith((p) => ({ ...p, user: { name: 'x' } }))), /^user\.id/],
    ['actions: null', () => f.send(pressWith((p) => ({ ...p, actions: null }))), /^actions/],
    ['actions: []', () => f.send(pressWith((p) => ({ ...p, actions: [] }))), /^actions/],
    [
      'an action_id of 7',
      () => f.send(pressWith((p) => ({ ...p, actions: [{ action_id: 7 }] }))),
      /actions\.0\.action_id/,
    ],
    [
      'channel: null (Bolt reads channel.id)',
      () => f.send(pressWith((p) => ({ ...p, channel: null }))),
      /^channel/,
    ],
    ['team: 5', () => f.send(pressWith((p) => ({ ...p, team: 5 }))), /^team/],
    [
      'a view submission with view: null',
      () =>
        f.send(
          form({ payload: JSON.stringify({ type: 'view_submission', user: { id: REQUESTER }, view: null }) }),
        ),
      /^view/,
    ],
    [
      'an event whose event is null',
      () => json(JSON.stringify({ type: 'event_callback', event: null })),
      /^event/,
    ],
    [
      'a command whose user_id is repeated (an array)',
      () => f.send(`${commandBody({ user: REQUESTER, command: '/ops', text: 'help' })}&user_id=U0OTHER`),
      /^user_id/,
    ],
    [
      'a command without a trigger_id',
      () =>
        f.send(
          commandBody({ user: REQUESTER, command: '/ops', text: 'help' }).replace(/&trigger_id=[^&]*/, ''),
        ),
      /^trigger_id/,
    ],
  ];
  for (const [what, send, problem] of cases) {
    it(`${what}: 400 naming the field`, async () => {
      const res = await send();
      expect({ status: res.status, text: res.text }).toMatchObject({
        status: 400,
        text: expect.stringMatching(problem),
      });
      expect(reached).toEqual([]);
    });
  }

  it('the app keeps serving after all of them', stillServing);
});

describe('well-formed bodies no listener takes: 200 with a log line, Bolt never reached', () => {
  it('an unknown action', async () => {
    const res = await f.send(
      pressWith((p) => ({
        ...p,
        actions: [{ type: 'button', action_id: 'someone_elses_button', value: 'x' }],
      })),
    );
    expect(res.status).toBe(200);
    expect(reached).toEqual([]);
    expect((await f.logged('answered a Slack request no listener takes')).what).toMatch(
      /someone_elses_button/,
    );
  });

  it('an unknown view submission and view closed', async () => {
    for (const type of ['view_submission', 'view_closed']) {
      const payload = {
        type,
        user: { id: REQUESTER },
        view: { id: 'V1', callback_id: 'not_ours' },
        team: null,
      };
      const res = await f.send(form({ payload: JSON.stringify(payload) }));
      expect({ type, status: res.status }).toEqual({ type, status: 200 });
    }
    expect(reached).toEqual([]);
  });

  it('an unknown slash command is told so in its own answer', async () => {
    const res = await f.command(REQUESTER, '/deploy', 'everything');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/deploy') });
    expect(reached).toEqual([]);
  });

  it('an event, a shortcut and a legacy interaction nobody listens for', async () => {
    const bodies = [
      json(
        JSON.stringify({
          type: 'event_callback',
          team_id: 'T0MARSHAL',
          event: { type: 'app_mention', text: 'hi' },
        }),
      ),
      f.send(
        form({ payload: JSON.stringify({ type: 'shortcut', callback_id: 'x', user: { id: REQUESTER } }) }),
      ),
      f.send(form({ payload: JSON.stringify({ type: 'interactive_message', actions: [{ name: 'a' }] }) })),
    ];
    expect((await Promise.all(bodies)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(reached).toEqual([]);
  });

  it('what a listener takes still reaches Bolt and is answered by it', async () => {
    await stillServing();
    const press = await f.send(
      blockActionBody({
        actionId: MARSHAL_APPROVE,
        value: 'not a gate',
        user: REQUESTER,
        messageTs: '1.000002',
      }),
    );
    expect(press.status).toBe(200);
    expect(reached).toHaveLength(2);
  });
});

describe('transport-level refusals', () => {
  it('a body over the limit is refused with 413 before it is read', async () => {
    const res = await f.send(
      form({ payload: JSON.stringify({ type: 'block_actions', pad: 'x'.repeat(5 * 1024 * 1024) }) }),
    );
    expect(res.status).toBe(413);
    expect(reached).toEqual([]);
  });

  it('a bad signature, a missing one and a stale timestamp: 401, Bolt never reached', async () => {
    const body = form({ payload: 'null' });
    const statuses = [
      (await f.send(body, { signature: 'v0=' + '0'.repeat(64) })).status,
      (await f.send(body, { signature: null })).status,
      (await f.send(body, { timestampSec: Math.floor(Date.now() / 1000) - 10 * 60 })).status,
      (await sendSigned(f.url, body, { secret: 'another-secret-entirely-00000000' })).status,
    ];
    expect(statuses).toEqual([401, 401, 401, 401]);
    expect(reached).toEqual([]);
  });

  it("Slack's unsigned ssl_check is still answered 200, and a payload smuggled with it is dropped", async () => {
    const res = await f.send(form({ ssl_check: '1', payload: JSON.stringify({ type: 'block_actions' }) }), {
      signature: null,
    });
    expect(res.status).toBe(200);
    expect(reached).toEqual([]);
  });
});
