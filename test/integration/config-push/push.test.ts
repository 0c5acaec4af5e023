import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/audit/index.js';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_REQUESTER,
  TARGET,
  LOADED,
  messageText,
  waitUntil,
  DEMO_CHANNEL,
} from '../../support/config-push-fixture.js';

/** `/config push` through the real Slack app, engine and workers onto a real sshd fleet. */
describe('config push end to end', () => {
  let f: ConfigPushFixture;
  let oldSha: string;

  beforeAll(async () => {
    f = await ConfigPushFixture.start({ hosts: 8 });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(() => {
    f.resetHosts();
    oldSha = f.hostSha(f.hosts[0]!.name)!;
  });

  it('canary, approval by another user, batches: the selected hosts and only they get the file, audited and threaded', async () => {
    const web = f.webHosts;
    const others = f.hosts.map((h) => h.name).filter((n) => !web.includes(n));
    const wanted = f.bundleSha();
    expect(oldSha).not.toBe(wanted);

    const reply = await f.sendCommand(
      DEMO_REQUESTER,
      'push rate-limiter to role=web --canary 1 --batches 50%,100% --delay 1s',
    );
    const runId = reply.runId!;
    expect(reply.text).toContain(runId);

    const card = await f.waitForApprovalCard(runId);
    // Waiting for approval: the canary alone holds the new file.
    const [canary, ...rest] = web;
    expect(f.hostSha(canary!)).toBe(wanted);
    for (const host of [...rest, ...others])
      expect({ host, sha: f.hostSha(host) }).toEqual({ host, sha: oldSha });

    // The requester cannot approve their own push; another member of the approvers can.
    await f.press(MARSHAL_APPROVE, card, DEMO_REQUESTER);
    await waitUntil('the refusal of a self-approval', () =>
      f.env.standin
        .ephemerals(DEMO_CHANNEL, DEMO_REQUESTER)
        .find((m) => messageText(m).includes('you cannot approve it')),
    );
    const gate = (await f.server.marshal.engine.get(runId)).gates.find(
      (g) => g.gateId === 'execution.approval',
    );
    expect(gate?.state).toBe('waiting');
    await f.press(MARSHAL_APPROVE, card, DEMO_APPROVER);

    const run = await f.waitForRun(runId);
    expect(run.state).toBe('succeeded');
    for (const host of web) {
      expect({ host, sha: f.hostSha(host), loaded: f.hostSha(host, LOADED) }).toEqual({
        host,
        sha: wanted,
        loaded: wanted,
      });
      // Success removes the backup and every side file.
      expect(readdirSync(f.env.fleet.localPath(host, dirname(TARGET))).sort()).toEqual([
        'loaded.yaml',
        'rate-limiter.yaml',
      ]);
    }
    for (const host of others) expect({ host, sha: f.hostSha(host) }).toEqual({ host, sha: oldSha });

    // The audit record: who asked, who approved, what was pushed, each host before and after.
    const entries: AuditEntry[] = await f.server.marshal.audit.entries(runId);
    const finished = entries.find((e) => e.kind === 'config.push.finished');
    expect(finished?.data).toMatchObject({
      requester: DEMO_REQUESTER,
      approvedBy: DEMO_APPROVER,
      bundle: { name: 'rate-limiter', version: '1.4.0', sha256: wanted, target: TARGET },
      succeeded: true,
      rolledBack: false,
    });
    const changed = entries.filter((e) => e.kind === 'config.host.changed');
    expect(changed.map((e) => e.target).sort()).toEqual([...web].sort());
    for (const e of changed)
      expect(e.data).toMatchObject({ beforeSha256: oldSha, afterSha256: wanted, version: '1.4.0' });

    // The thread: the parent in its final state, then the milestones in order.
    const [parent, ...replies] = await f.finalThread(runId);
    const parentText = messageText(parent!);
    expect(parentText).toContain('config-push succeeded');
    expect(parentText).toContain(`${web.length} ok · 0 failed`);
    expect(parentText).not.toMatch(/running|waiting for approval/);
    const texts = replies.map((m) => messageText(m));
    const order = [
      /Canary done: 1 ok, 0 failed of 1/,
      new RegExp(`Approved by <@${DEMO_APPROVER}>`),
      /Batch 1\/2 done: 3 ok, 0 failed of 3/,
      /Batch 2\/2 done: 2 ok, 0 failed of 2/,
      /config-push succeeded/,
    ];
    const positions = order.map((re) => texts.findIndex((t) => re.test(t)));
    expect({ positions, texts }).toMatchObject({ positions: [0, 1, 2, 3, 4] });
  });

  it('--dry-run changes no file on any host and shows each host its diff', async () => {
    const before = f.fleetShas();
    const reply = await f.sendCommand(DEMO_REQUESTER, 'push rate-limiter to role=web --canary 1 --dry-run');
    const runId = reply.runId!;
    expect(reply.text).toContain('dry run');
    // Nothing changes, so there is nothing to approve: the dry run plans every host and ends.
    const run = await f.waitForRun(runId);
    expect(run.gates.filter((g) => g.state !== 'pending')).toEqual([]);
    expect(run.state).toBe('succeeded');
    expect(f.fleetShas()).toEqual(before);
    for (const host of f.hosts)
      expect(readdirSync(f.env.fleet.localPath(host, dirname(TARGET))).sort()).toEqual([
        'loaded.yaml',
        'rate-limiter.yaml',
      ]);
    const shown = (await f.finalThread(runId)).map((m) => messageText(m)).join('\n');
    for (const host of f.webHosts) expect(shown).toMatch(new RegExp(`${host}\\S*[^\\n]*\\+2 −2 lines`));
  });

  it('a selector that matches nothing is refused with a clear message; no host is contacted', async () => {
    f.traceCommands(['uname', 'sha256sum', 'cat', 'df']);
    const before = f.fleetShas();
    const reply = await f.sendCommand(DEMO_REQUESTER, 'push rate-limiter to role=database');
    const shown = reply.runId
      ? [
          (await f.waitForRun(reply.runId)).state,
          ...(await f.thread(reply.runId)).map((m) => messageText(m)),
        ].join('\n')
      : reply.text;
    expect(shown).toMatch(/role=database/);
    expect(shown).toMatch(/match(ed|es)? no hosts?/i);
    expect(f.fleetShas()).toEqual(before);
    for (const host of f.hosts)
      expect({ host, calls: f.tracedCalls(host.name) }).toEqual({ host, calls: [] });
  });

  it('a second push to overlapping hosts is refused by the lock, naming the run that holds it; the first completes', async () => {
    const first = await f.sendCommand(DEMO_REQUESTER, 'push rate-limiter to role=web --canary 1 --delay 1s');
    const card = await f.waitForApprovalCard(first.runId!);
    const second = await f.sendCommand(DEMO_APPROVER, `push rate-limiter to ${f.webHosts[1]} --canary 0`);
    expect(second.runId).toBeUndefined();
    expect(second.text).toContain(first.runId!);
    expect(second.text).toMatch(/lock/i);
    await f.press(MARSHAL_APPROVE, card, DEMO_APPROVER);
    const run = await f.waitForRun(first.runId!);
    expect(run.state).toBe('succeeded');
    for (const host of f.webHosts)
      expect({ host, sha: f.hostSha(host) }).toEqual({ host, sha: f.bundleSha() });
  });
});
