import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_BIN_DIR } from '../../../src/local/fleet/sshd-config.js';
import { blockActionBody, sendSigned } from '../../../src/local/slack-standin/signed-requests.js';
import {
  MARSHAL_ABORT_KEEP,
  MARSHAL_ROLLBACK,
  RUN_ACTIONS_BLOCK_ID,
} from '../../../src/slack/blocks/index.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_CHANNEL,
  DEMO_REQUESTER,
  LOADED,
  messageText,
  waitUntil,
} from '../../support/config-push-fixture.js';
import { marshalEnv, startMarshal } from '../../support/marshal-process.js';
import { CLI_USER } from '../../support/cli-config.js';
import { testRedisUrl } from '../../support/redis.js';
import type { StoredMessage } from '../../../src/local/slack-standin/index.js';

/** The gateway of one host cannot serve the new limits: its health check fails once they are loaded. */
const unhealthyOnNewLimits = `#!/bin/sh
if grep -q 'rate: 100$' ${LOADED}; then echo 'gateway: /healthz answered 502' >&2; exit 1; fi
PATH=\${PATH#${HOOK_BIN_DIR}:} exec cmp "$@"
`;

type Button = { action_id?: string; value?: string };
const runButtons = (parent: StoredMessage | undefined): Button[] =>
  ((parent?.blocks ?? []) as { block_id?: string; elements?: Button[] }[])
    .filter((b) => b.block_id === RUN_ACTIONS_BLOCK_ID)
    .flatMap((b) => b.elements ?? []);

/**
 * Roll back after the end: a config push that finished with a failed host (within its failure budget)
 * left the others changed; the run thread's "Roll back" button restores exactly those, once, through the
 * workflow's own rollback, audited; `marshal rollback` does the same from a terminal.
 */
describe('roll back a finished run, and the terminal’s run controls', { timeout: 240_000 }, () => {
  let f: ConfigPushFixture;
  beforeAll(async () => {
    f = await ConfigPushFixture.start({ hosts: 8 });
  });
  afterAll(async () => {
    await f?.close();
  });

  let clicks = 0;
  const click = (actionId: string, value: string, messageTs: string, user: string) =>
    sendSigned(
      f.url,
      blockActionBody({
        actionId,
        value,
        user,
        channel: DEMO_CHANNEL,
        messageTs,
        actionTs: `1700002000.${String(++clicks).padStart(6, '0')}`,
      }),
      { secret: f.env.signingSecret },
    );

  it('the Roll back button restores exactly the changed hosts, once for a double click, in the thread and the audit', async () => {
    f.resetHosts();
    const before = f.fleetShas();
    const failing = 'web-006';
    f.env.fleet.install(failing, 'cmp', unhealthyOnNewLimits);
    const reply = await f.sendCommand(
      DEMO_REQUESTER,
      'push rate-limiter to role=web --canary 1 --batches 100% --delay 0s --max-fail 50%',
    );
    const runId = reply.runId!;
    const card = await f.waitForApprovalCard(runId);
    await f.press('marshal_approve', card, DEMO_APPROVER);
    const run = await f.waitForRun(runId);
    // Within the budget: the push went on and left five hosts changed and one failed (it restored itself).
    const changed = f.webHosts.filter((h) => h !== failing);
    expect(run.targets.filter((t) => !t.ok).map((t) => t.target)).toEqual([failing]);
    for (const h of changed) expect(f.hostSha(h)).toBe(f.bundleSha());
    expect(f.hostSha(failing)).toBe(before[failing]);

    const [parent] = await f.thread(runId);
    const button = runButtons(parent).find((b) => b.action_id === MARSHAL_ROLLBACK);
    expect(button?.value).toBeDefined();
    // The requester may (as hold and abort); a double click is one rollback.
    await Promise.all([
      click(MARSHAL_ROLLBACK, button!.value!, parent!.ts, DEMO_REQUESTER),
      click(MARSHAL_ROLLBACK, button!.value!, parent!.ts, DEMO_REQUESTER),
    ]);
    const told = await waitUntil('both answers', () => {
      const texts = f.env.standin.ephemerals(DEMO_CHANNEL, DEMO_REQUESTER).map((m) => messageText(m));
      const rolling = texts.filter((t) => t.includes('Rolling back run'));
      const already = texts.filter((t) => t.includes('was already rolled back'));
      return rolling.length + already.length >= 2 ? { rolling, already } : undefined;
    });
    expect(told.rolling).toHaveLength(1);
    expect(told.already).toHaveLength(1);

    const end = await f.waitForEvent(
      'the rollback to end',
      (e) => e.runId === runId && e.type === 'run.finished' && e.rollbackBy === DEMO_REQUESTER,
    );
    expect(end).toMatchObject({ rollbackBy: DEMO_REQUESTER });
    // Every host holds the file it had before the push; the failed host was not touched again.
    expect(f.fleetShas()).toEqual(before);
    const controls = f.events.filter((e) => e.runId === runId && e.type === 'run.control');
    expect(controls).toHaveLength(1);
    expect(controls[0]).toMatchObject({ action: 'rollback', by: DEMO_REQUESTER });
    expect([...((controls[0] as { hosts?: string[] }).hosts ?? [])].sort()).toEqual(changed);

    // Audited: who asked, when, which hosts; each host's restore by the workflow's own step.
    const entries = await waitUntil('the audit of the rollback', async () => {
      const all = await f.server.marshal.audit.entries(runId);
      return all.some((e) => e.kind === 'run.finished' && e.data.rollbackBy) ? all : undefined;
    });
    const asked = entries.filter((e) => e.kind === 'run.rollback');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ actor: DEMO_REQUESTER });
    expect(Date.parse(asked[0]!.at)).toBeGreaterThan(Date.parse(run.finishedAt!));
    const restored = entries.filter((e) => e.kind === 'config.host.restored').map((e) => e.target);
    expect(restored.sort()).toEqual(changed);

    // The thread says it, and the parent offers no second Roll back.
    const thread = await waitUntil('the rollback reply', async () => {
      const t = (await f.thread(runId)).map((m) => messageText(m)).join('\n');
      return t.includes('Rolled back: 5 hosts restored') ? t : undefined;
    });
    expect(thread).toContain('Roll back requested after the end');
    await waitUntil('the parent without Roll back', async () => {
      const [p] = await f.thread(runId);
      return runButtons(p).some((b) => b.action_id === MARSHAL_ROLLBACK) ? undefined : true;
    });
  });

  it('`marshal hold`, `marshal approve` and `marshal resume` steer a Slack-started run as the terminal identity', async () => {
    f.resetHosts();
    const env = marshalEnv(f.env, testRedisUrl());
    const cli = async (args: string[]) => {
      const p = startMarshal(args, env);
      const { code } = await p.exited;
      expect(p.stderr(), args.join(' ')).toBe('');
      expect(code, args.join(' ')).toBe(0);
      return p.stdout();
    };
    const reply = await f.sendCommand(
      DEMO_REQUESTER,
      'push rate-limiter to role=web --canary 1 --batches 100% --delay 0s',
    );
    const runId = reply.runId!;
    await f.waitForApprovalCard(runId);
    expect(await cli(['hold', runId])).toContain(
      `run ${runId} will hold after its current batch (as ${CLI_USER})`,
    );
    expect(await cli(['approve', runId])).toContain(
      `execution.approval of run ${runId} approved by ${CLI_USER}`,
    );
    await waitUntil('the batches to hold', async () =>
      (await f.server.marshal.engine.get(runId)).tasks.some((t) => t.state === 'held') ? true : undefined,
    );
    expect(f.fleetShas()[f.webHosts[1]!]).not.toBe(f.bundleSha());
    expect(await cli(['resume', runId])).toContain(
      `run ${runId} resumes with its next batch (as ${CLI_USER})`,
    );
    expect((await f.waitForRun(runId)).state).toBe('succeeded');
    for (const h of f.webHosts) expect(f.hostSha(h)).toBe(f.bundleSha());
    const controls = f.events.filter((e) => e.runId === runId && e.type === 'run.control');
    expect(
      controls.map((e) => [e.type === 'run.control' && e.action, e.type === 'run.control' && e.by]),
    ).toEqual([
      ['hold', CLI_USER],
      ['resume', CLI_USER],
    ]);
  });

  it('`marshal rollback <run>` restores a canary kept at an abort, as the terminal identity', async () => {
    f.resetHosts();
    const before = f.fleetShas();
    const reply = await f.sendCommand(
      DEMO_REQUESTER,
      'push rate-limiter to role=web --canary 1 --batches 100% --delay 0s',
    );
    const runId = reply.runId!;
    const card = await f.waitForApprovalCard(runId);
    await f.press(MARSHAL_ABORT_KEEP, card, DEMO_APPROVER);
    const run = await f.waitForRun(runId);
    expect(run.state).toBe('aborted');
    expect(f.hostSha('web-001')).toBe(f.bundleSha());

    const env = marshalEnv(f.env, testRedisUrl());
    const cli = startMarshal(['rollback', runId], env);
    const { code } = await cli.exited;
    expect(cli.stderr()).toBe('');
    expect(code).toBe(0);
    expect(cli.stdout()).toContain(`run ${runId} is rolling back (as ${CLI_USER}): web-001`);
    await f.waitForEvent(
      'the rollback to end',
      (e) => e.runId === runId && e.type === 'run.finished' && e.rollbackBy === CLI_USER,
    );
    expect(f.fleetShas()).toEqual(before);
    expect((await f.server.marshal.engine.get(runId)).state).toBe('aborted');

    // Asked again: nothing more is done, and the terminal says who asked first.
    const again = startMarshal(['rollback', runId], env);
    expect((await again.exited).code).toBe(0);
    expect(again.stdout()).toContain(`was already rolled back at the request of ${CLI_USER}`);
    const controls = f.events.filter(
      (e) => e.runId === runId && e.type === 'run.control' && e.action === 'rollback',
    );
    expect(controls).toHaveLength(1);
  });
});
