import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTriggerId } from '../../../src/local/slack-standin/signed-requests.js';
import { MARSHAL_APPROVE, encodeGateActionValue } from '../../../src/slack/blocks/index.js';
import { testRedisUrl } from '../../support/redis.js';
import {
  APPROVER,
  OUTSIDER,
  REQUESTER,
  recorded,
  startSlackAppFixture,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';

/**
 * `/marshal run <workflow> …` reaches a workflow module Marshal loaded from a directory, as a team would
 * add one: signed Slack requests, the real Bolt app, the real engine with its workers, the module's
 * default access (the config file does not name it), approval by another user.
 */
let f: SlackAppFixture;
beforeAll(async () => {
  f = await startSlackAppFixture(testRedisUrl(), {
    workflowDirs: [resolve('test/fixtures/workflow-modules')],
  });
});
afterAll(() => f?.close());

const ackText = (json: Record<string, unknown> | undefined): string =>
  `${String(json?.text)} ${JSON.stringify(json?.blocks)}`;

/** The run the user was told was started: the reply that names the run and carries `piece`. */
async function started(user: string, piece: string, tag: string): Promise<string> {
  for (;;) {
    for (const text of f.ephemerals(user).filter((t) => t.includes(piece))) {
      const runId = /run `([^`]+)`/.exec(text)![1]!;
      const run = await f.engine.get(runId);
      if ((run.params as { tag: string }).tag === tag) return runId;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('/marshal run: every loaded workflow through one command', () => {
  it('starts a module loaded from a directory; another user approves; the kit audits the run', async () => {
    const res = await f.command(REQUESTER, '/marshal', 'run tag-hosts blue on h-1 h-2 h-3', newTriggerId());
    expect(res.status).toBe(200);
    const runId = await started(REQUESTER, 'Started `tag-hosts` as run', 'blue');
    expect(await f.engine.get(runId)).toMatchObject({
      workflow: 'tag-hosts',
      requester: REQUESTER,
      params: { tag: 'blue', hosts: ['h-1', 'h-2', 'h-3'] },
    });
    const card = await f.approvalCard(runId);
    const value = encodeGateActionValue({ runId, gateId: card.gateId, plan: card.plan });
    await f.press({ actionId: MARSHAL_APPROVE, value, user: APPROVER, messageTs: card.ts });
    await f.event((e) => e.type === 'run.finished' && e.runId === runId);
    const run = await f.engine.get(runId);
    expect(run.state).toBe('succeeded');
    expect(run.targets.map((t) => [t.target, t.ok, t.changed]).sort()).toEqual([
      ['h-1', true, true],
      ['h-2', true, true],
      ['h-3', true, true],
    ]);
    // The template's phases ran without the module writing them.
    expect(
      run.tasks.filter((t) => ['audit', 'notify', 'cleanup'].includes(t.taskId)).map((t) => t.state),
    ).toEqual(['success', 'success', 'success']);
    const audit = recorded.audit.find((e) => e.runId === runId);
    expect(audit).toMatchObject({
      kind: 'tag-hosts.finished',
      actor: REQUESTER,
      data: { requester: REQUESTER, approvedBy: APPROVER, succeeded: true, rolledBack: false },
    });
    expect((audit?.data?.hosts as { host: string }[]).map((h) => h.host).sort()).toEqual([
      'h-1',
      'h-2',
      'h-3',
    ]);
  });

  it('on failure, the kit alerts the module’s owners and the requester, and audits the failure', async () => {
    await f.command(REQUESTER, '/marshal', 'run tag-hosts refused on h-5 h-6', newTriggerId());
    const runId = await started(REQUESTER, 'Started `tag-hosts` as run', 'refused');
    await f.event((e) => e.type === 'run.finished' && e.runId === runId);
    expect((await f.engine.get(runId)).state).toBe('failed');
    const alert = recorded.alerts.find((a) => a.runId === runId);
    expect(alert).toMatchObject({ to: ['S0APPROVERS', REQUESTER], title: 'tag-hosts failed' });
    expect(alert?.text).toContain('h-5: h-5 refuses the tag');
    expect(recorded.audit.find((e) => e.runId === runId)).toMatchObject({
      kind: 'tag-hosts.finished',
      data: { succeeded: false, approvedBy: null },
    });
  });

  it('routes the slash command the module claimed to it', async () => {
    await f.command(REQUESTER, '/tag', 'green on h-9 --dry-run', newTriggerId());
    const runId = await started(REQUESTER, 'Started `tag-hosts` (dry run)', 'green');
    expect(await f.engine.get(runId)).toMatchObject({
      workflow: 'tag-hosts',
      dryRun: true,
      params: { tag: 'green', hosts: ['h-9'] },
    });
  });

  it('refuses a user the module’s default access does not name, saying who may', async () => {
    const before = (await f.engine.list({ limit: 100 })).length;
    await f.command(OUTSIDER, '/marshal', 'run tag-hosts red on h-1', newTriggerId());
    const text = await f.ephemeral(OUTSIDER, 'You may not start `tag-hosts`');
    expect(text).toContain('subteam^S0STARTERS');
    expect((await f.engine.list({ limit: 100 })).length).toBe(before);
  });

  it('refuses an unknown workflow in the ack, listing the known ones closest first', async () => {
    const res = await f.command(REQUESTER, '/marshal', 'run tag-host blue on h-1');
    const text = ackText(res.json);
    expect(text).toContain('`tag-host` is not a workflow of this Marshal');
    expect(text).toMatch(/one of `tag-hosts`, (`[a-z-]+`, )*`[a-z-]+` \(closest first\)/);
    const other = ackText((await f.command(REQUESTER, '/marshal', 'run config-pus x to y')).json);
    expect(other).toMatch(/one of `config-push`, /);
    expect(other).toContain('`tag-hosts`');
  });

  it('refuses bad words naming the word, with the workflow’s usage line', async () => {
    const res = await f.command(REQUESTER, '/marshal', 'run tag-hosts Blue on h-1');
    const text = ackText(res.json);
    expect(text).toContain('&lt;tag&gt;');
    expect(text).toContain('must be lower-case letters');
    expect(text).toContain('Usage: `/marshal run tag-hosts &lt;tag&gt; on &lt;hosts&gt;...');
  });

  it('/marshal help lists every workflow with its usage; /marshal help <workflow> explains one', async () => {
    await f.command(OUTSIDER, '/marshal', 'help', newTriggerId());
    const all = await f.ephemeral(OUTSIDER, '*Workflows*');
    for (const piece of ['/marshal run config-push', '/config push', '/marshal run tag-hosts', '/tag ']) {
      expect(all).toContain(piece);
    }
    await f.command(OUTSIDER, '/marshal', 'help tag-hosts', newTriggerId());
    const one = await f.ephemeral(OUTSIDER, '&lt;tag&gt;  the tag: lower-case letters');
    expect(one).toContain('*tag-hosts*: Tag hosts');
    expect(one).not.toContain('config-push');
  });
});
