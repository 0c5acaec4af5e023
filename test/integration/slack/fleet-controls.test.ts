import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../../src/audit/index.js';
import { parseMarshalConfig } from '../../../src/config/marshal-config.js';
import { ChangeFreeze } from '../../../src/control/change-freeze.js';
import { createOpsControl } from '../../../src/control/ops-control.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { silentLogger } from '../../../src/log/index.js';
import {
  APPROVER,
  CHANNEL,
  OUTSIDER,
  REQUESTER,
  startSlackAppFixture,
  until,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';
import { testRedisUrl } from '../../support/redis.js';

/**
 * The fleet-wide controls through Bolt's real request path (signed requests, the Slack stand-in):
 * per-target access, stop-all, and a change freeze with break-glass. The requester's access is limited
 * to `role=web`; the approver holds break-glass.
 */
describe('fleet controls in Slack', { timeout: 120_000 }, () => {
  let f: SlackAppFixture;
  let audit: RedisAuditLog;
  let trigger = 0;
  const command = (user: string, text: string) => f.command(user, '/config', text, `t-fleet-${++trigger}`);
  const ops = (user: string, text: string) => f.command(user, '/ops', text, `t-fleet-${++trigger}`);
  const started = () => f.events.filter((e) => e.type === 'run.started').map((e) => e.runId);
  const posted = (piece: string) =>
    f.standin.accepted('chat.postMessage').some((c) => String(c.args.text).includes(piece));

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marshal-fleet-'));
    const inventoryPath = join(dir, 'inventory.yaml');
    await writeFile(
      inventoryPath,
      [
        'version: 1',
        'hosts:',
        '  web-01: { address: 127.0.0.1, role: web }',
        '  web-02: { address: 127.0.0.1, role: web }',
        '  db-01: { address: 127.0.0.1, role: db }',
        '  db-02: { address: 127.0.0.1, role: db }',
      ].join('\n'),
    );
    const inventory = await loadInventory(inventoryPath);
    const config = parseMarshalConfig(
      {
        inventory: inventoryPath,
        access: {
          workflows: { 'config-push': { start: ['S0STARTERS'], approve: ['S0APPROVERS', REQUESTER] } },
          targets: [{ who: [REQUESTER], selector: 'role=web' }],
          ops: { breakGlass: [APPROVER] },
        },
      },
      'test config',
      dir,
    );
    f = await startSlackAppFixture(testRedisUrl(), {
      config,
      control: ({ redis, prefix }) => {
        audit = new RedisAuditLog(redis, prefix, silentLogger());
        return createOpsControl({
          config,
          inventory,
          audit,
          freeze: new ChangeFreeze(redis, prefix, config.freeze.windows),
        });
      },
    });
  });
  afterAll(() => f?.close());

  it('refuses a run whose targets fall outside the person’s selector, naming the hosts, before it starts', async () => {
    const before = started().length;
    await command(REQUESTER, 'push app to web-01,db-01,db-02');
    const refusal = await f.ephemeral(REQUESTER, 'Outside it');
    expect(refusal).toContain('only on hosts in `role=web`');
    expect(refusal).toContain('`db-01`, `db-02` (2 of 3 hosts)');
    expect(refusal).not.toContain('`web-01`');
    expect(started()).toHaveLength(before);
  });

  it('stop-all holds every active run at once, in one audited action', async () => {
    for (let i = 0; i < 3; i++) await command(REQUESTER, 'push app to web-01,web-02');
    await until(() => started().length >= 3);
    const runs = started().slice(-3);
    for (const runId of runs) await f.event((e) => e.type === 'gate.waiting' && e.runId === runId);

    await ops(OUTSIDER, 'stop-all not mine to stop');
    expect(await f.ephemeral(OUTSIDER, 'You may not use `/ops stop-all`')).toBeTruthy();

    await ops(APPROVER, 'stop-all db failover in progress');
    await f.ephemeral(APPROVER, 'Held 3 of 3 active run(s)');
    for (const runId of runs) expect((await f.engine.get(runId)).holdRequested).toBe(true);
    for (const runId of runs)
      await f.event((e) => e.type === 'run.control' && e.action === 'hold' && e.runId === runId);
    await until(() => posted('*Stop-all* by'));
    const records = await audit.range(1, (await audit.head()).seq);
    const stop = records.filter((r) => r.kind === 'ops.stop_all');
    expect(stop).toHaveLength(1);
    expect(stop[0]).toMatchObject({ actor: APPROVER, data: { reason: 'db failover in progress' } });
    expect([...(stop[0]!.data.held as string[])].sort()).toEqual([...runs].sort());
    expect(stop[0]!.link).toMatch(/^https?:\/\//);
    for (const runId of runs) await f.engine.abort(runId, APPROVER);
  });

  it('a freeze refuses a start; break-glass passes and is called out in the channel', async () => {
    await ops(APPROVER, 'freeze 2h release of payments');
    await f.ephemeral(APPROVER, 'change freeze until');
    const before = started().length;
    await command(REQUESTER, 'push app to web-01');
    const refusal = await f.ephemeral(REQUESTER, 'Changes are frozen');
    expect(refusal).toContain('release of payments');
    expect(refusal).toContain(`Break-glass: <@${APPROVER}>`);
    expect(started()).toHaveLength(before);

    await command(APPROVER, 'push app to web-01');
    await until(() => started().length === before + 1);
    const runId = started().at(-1)!;
    await until(() => posted('*Break-glass*'));
    const note = f.standin
      .accepted('chat.postMessage')
      .find((c) => String(c.args.text).includes('*Break-glass*'))!;
    expect(note.args.channel).toBe(CHANNEL);
    expect(String(note.args.text)).toContain(runId);
    const all = async () => audit.range(1, (await audit.head()).seq);
    await until(async () => (await all()).some((r) => r.kind === 'ops.break_glass'));
    const records = await all();
    expect(records.find((r) => r.kind === 'ops.freeze')).toMatchObject({ actor: APPROVER });
    expect(records.find((r) => r.kind === 'ops.break_glass')).toMatchObject({ runId, actor: APPROVER });

    await ops(APPROVER, 'freeze off');
    await f.ephemeral(APPROVER, 'The manual freeze is lifted');
    await command(REQUESTER, 'push app to web-02');
    await until(() => started().length === before + 2);
    await f.engine.abort(runId, APPROVER);
    await f.engine.abort(started().at(-1)!, APPROVER);
  });
});
