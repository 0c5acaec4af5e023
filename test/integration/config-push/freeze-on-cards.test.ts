import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { StoredMessage } from '../../../src/local/slack-standin/index.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_REQUESTER,
  messageText,
  waitUntil,
} from '../../support/config-push-fixture.js';

/** The context blocks of a message that carry the freeze banner. */
const banner = (m: StoredMessage | undefined): string[] =>
  ((m?.blocks ?? []) as { type?: string; elements?: { text?: string }[] }[])
    .filter((b) => b.type === 'context')
    .flatMap((b) => (b.elements ?? []).map((e) => e.text ?? ''))
    .filter((t) => t.includes('Change freeze'));

/**
 * While a change freeze is in force, the run's parent message and its approval card say so: the reason,
 * when it ends and who set it. A run started by break-glass during a freeze shows it; once lifted, the
 * parent no longer does.
 */
describe('the change freeze on every card', { timeout: 180_000 }, () => {
  let f: ConfigPushFixture;
  beforeAll(async () => {
    f = await ConfigPushFixture.start({
      hosts: 4,
      prepare: (env) => {
        const doc = parse(readFileSync(env.configPath, 'utf8')) as { access: Record<string, unknown> };
        doc.access.ops = { freeze: [DEMO_APPROVER], breakGlass: [DEMO_APPROVER] };
        writeFileSync(env.configPath, stringify(doc));
        return Promise.resolve();
      },
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('the parent and the approval card carry the freeze’s reason, end and author (gone once lifted); the card’s evidence is readable and its timeout the run’s own', async () => {
    const set = await f.sendCommand(DEMO_APPROVER, 'freeze 2h payments release', '/ops');
    expect(set.text).toContain('change freeze until');
    const reply = await f.sendCommand(
      DEMO_APPROVER,
      'push rate-limiter to role=web --canary 1 --batches 100% --delay 0s --approval-timeout 45m',
    );
    const runId = reply.runId!;
    const card = await f.waitForApprovalCard(runId);
    const cardMessage = (await f.thread(runId)).find((m) => m.ts === card.ts);
    // The card's evidence is readable sections (the canary's diff as text, what ships), never JSON; its
    // timeout is the run's own (--approval-timeout 45m), not a constant.
    const cardText = messageText(cardMessage!);
    expect(cardText).toMatch(/\*Diff on `web-001`[^*]*\*\n```/);
    expect(cardText).toContain('*What ships*');
    expect(cardText).not.toMatch(/"(headline|preview|sha256)"\s*:/);
    const expires = (await f.server.marshal.engine.get(runId)).gates[0]?.expiresAt;
    expect(Math.abs(Date.parse(expires!) - (Date.now() + 45 * 60_000))).toBeLessThan(5 * 60_000);
    expect(cardText).toContain(`<!date^${Math.floor(Date.parse(expires!) / 1000)}^`);
    const onCard = banner(cardMessage);
    expect(onCard).toHaveLength(1);
    expect(onCard[0]).toMatch(/:snowflake: \*Change freeze\* until <!date\^\d+\^/);
    expect(onCard[0]).toContain(`(set by <@${DEMO_APPROVER}>): payments release`);
    const [parent] = await f.thread(runId);
    expect(banner(parent)).toEqual(onCard);
    // The end shown is the freeze's own: two hours from when it was set.
    const until = Number(/<!date\^(\d+)\^/.exec(onCard[0]!)?.[1]) * 1000;
    expect(Math.abs(until - (Date.now() + 2 * 3_600_000))).toBeLessThan(5 * 60_000);

    const lifted = await f.sendCommand(DEMO_APPROVER, 'freeze off', '/ops');
    expect(lifted.text).toContain('The manual freeze is lifted');
    await f.press('marshal_approve', card, DEMO_REQUESTER);
    await f.waitForRun(runId);
    const [after] = await f.thread(runId);
    expect(banner(after)).toEqual([]);
    expect(messageText(after!)).toContain('succeeded');
  });

  it('a freeze set while a card waits shows on it (and on the parent) at once, and goes when lifted', async () => {
    const reply = await f.sendCommand(
      DEMO_REQUESTER,
      'push rate-limiter to role=web --canary 1 --batches 100% --delay 0s',
    );
    const runId = reply.runId!;
    const card = await f.waitForApprovalCard(runId);
    const cardNow = async () => (await f.thread(runId)).find((m) => m.ts === card.ts);
    expect(banner(await cardNow())).toEqual([]);
    await f.sendCommand(DEMO_APPROVER, 'freeze 30m database migration', '/ops');
    await waitUntil('the banner on the waiting card', async () =>
      banner(await cardNow()).some((t) => t.includes('database migration')) ? true : undefined,
    );
    await waitUntil('the banner on the parent', async () =>
      banner((await f.thread(runId))[0]).some((t) => t.includes('database migration')) ? true : undefined,
    );
    await f.sendCommand(DEMO_APPROVER, 'freeze off', '/ops');
    await waitUntil('the banner gone from the card', async () =>
      banner(await cardNow()).length === 0 ? true : undefined,
    );
    await f.sendCommand(DEMO_REQUESTER, `abort ${runId}`, '/ops');
    await f.waitForRun(runId);
  });
});
