import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { FleetSlots, abSlotProfile } from '../../../src/local/fleet/ab-slots.js';
import { ImageServer, buildSlotImage, releaseOsRelease } from '../../../src/local/os-images.js';
import type { StoredMessage } from '../../../src/local/slack-standin/index.js';
import { signCatalog } from '../../../src/osupgrade/index.js';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_CHANNEL,
  DEMO_REQUESTER,
  messageText,
  waitUntil,
} from '../../support/config-push-fixture.js';
import { CHECKS } from '../../support/os-upgrade-world.js';

/**
 * `/osupgrade` as operators use it: Marshal's real server (Bolt app taking signed requests, progress
 * threads on the Slack stand-in, the engine and its workers, the kit's standard deps as createMarshal
 * wires them), an sshd fleet whose hosts have two slots and boot the one their boot loader names, a real
 * HTTP image server on loopback and a catalog signed with Ed25519.
 *
 * Fleet of 8: role=web is every host but each fourth (api-004, api-008); dc is fra1 for the odd
 * host numbers, ams1 for the even ones. The run: canary web-001, approval, batch 1 web-002, batch 2
 * web-003, web-005, web-006, web-007; web-007 stays down 25 s longer at its reboot than the others.
 */
const SLOW_HOST = 'web-007';
const SLOW_EXTRA_MS = 25_000;
const WEB = ['web-001', 'web-002', 'web-003', 'web-005', 'web-006', 'web-007'];
const API = ['api-004', 'api-008'];

describe('/osupgrade through Slack (signed requests, progress thread, real reboots)', () => {
  let f: ConfigPushFixture;
  let slots: FleetSlots;
  let images: ImageServer;

  beforeAll(async () => {
    f = await ConfigPushFixture.start({
      hosts: 8,
      environment: {
        access: {
          'os-upgrade': { start: ['S0PLATFORM'], approve: ['S0PLATFORM'] },
          'os-upgrade-status': { start: ['S0PLATFORM'], approve: ['S0PLATFORM'] },
        },
      },
      prepare: async (env) => {
        const dir = dirname(env.configPath);
        for (const h of env.fleet.hosts) env.fleet.setOsRelease(h, releaseOsRelease('12.5'));
        env.fleet.rebootDownMs = 1000;
        slots = FleetSlots.install(env.fleet);
        images = await ImageServer.start(dir);
        const image = buildSlotImage(dir, 'debian-12.7', releaseOsRelease('12.7'), 64 * 1024);
        const keys = generateKeyPairSync('ed25519', {
          publicKeyEncoding: { type: 'spki', format: 'pem' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        });
        const catalog = stringify({
          catalog: {
            releases: [
              {
                name: 'debian-12.7',
                version: '12.7',
                image: { url: images.url(image), sha256: image.sha256, sizeBytes: image.sizeBytes },
                certification: { by: 'release-team', at: '2026-11-20T10:00:00Z', checks: CHECKS },
              },
            ],
          },
        });
        writeFileSync(join(dir, 'os-catalog.yaml'), signCatalog(catalog, keys.privateKey));
        const inventoryPath = join(dir, 'inventory.yaml');
        const inventory = parse(readFileSync(inventoryPath, 'utf8')) as {
          hosts: Record<string, { vars?: object }>;
        };
        Object.values(inventory.hosts).forEach((host, i) => {
          host.vars = { ...(host.vars ?? {}), dc: i % 2 === 0 ? 'fra1' : 'ams1' };
        });
        writeFileSync(inventoryPath, stringify(inventory));
        const config = parse(readFileSync(env.configPath, 'utf8')) as Record<string, unknown>;
        config.workflowSettings = {
          'os-upgrade': {
            catalog: 'os-catalog.yaml',
            publicKey: keys.publicKey,
            profile: abSlotProfile(),
            rebootTimeoutMs: 90_000,
            slowFactor: 3,
            // Every batch of this short run gets its chart (a site sets this to what "long" means there).
            batchChartsAfterMs: 0,
          },
        };
        writeFileSync(env.configPath, stringify(config));
        env.fleet.setRebootBehaviour(SLOW_HOST, { extraDownMs: SLOW_EXTRA_MS });
      },
    });
  }, 180_000);
  afterAll(async () => {
    await f?.close();
    await images?.close();
  });

  const version = (host: string): string => {
    const text = readFileSync(f.env.fleet.member(host).dirs.osRelease, 'utf8');
    return /VERSION_ID="([^"]*)"/.exec(text)?.[1] ?? '?';
  };
  const texts = (thread: StoredMessage[]): string[] => thread.map((m) => messageText(m));
  const charts = (thread: StoredMessage[]): { title: string }[] =>
    thread.flatMap((m) => (m.files ?? []).map((file) => ({ title: String(file.title ?? '') })));

  it('canary → approval by another user (the requester’s own click refused) → batches: every selected host runs 12.7 after one real reboot, the slow host is called out while it is down, charts at each batch; /osupgrade status answers', async () => {
    const boots = new Map(f.hosts.map((h) => [h.name, f.env.fleet.bootId(h)]));
    const started = await f.sendCommand(
      DEMO_REQUESTER,
      'role=web to debian-12.7 --canary 1 --batches 1,100% --delay 0s --concurrency 4',
      '/osupgrade',
    );
    const runId = started.runId;
    expect(runId, started.text).toBeDefined();

    // The gate card, posted in the run's thread by the progress notifier, once the canary is done.
    const card = await f.waitForApprovalCard(runId!);
    expect(f.env.fleet.selfReboots.map((r) => r.host)).toEqual(['web-001']);
    expect(version('web-001')).toBe('12.7');
    await f.press(MARSHAL_APPROVE, card, DEMO_REQUESTER);
    await waitUntil('the requester told they cannot approve', () =>
      f.env.standin
        .ephemerals(DEMO_CHANNEL, DEMO_REQUESTER)
        .map((m) => messageText(m))
        .find((t) => t.includes('You requested this run, so you cannot approve it')),
    );
    expect(
      (await f.server.marshal.engine.get(runId!)).gates.find((g) => g.state === 'waiting'),
    ).toBeDefined();
    await f.press(MARSHAL_APPROVE, card, DEMO_APPROVER);

    // The slow host is called out in the thread while it is still down, not when it finishes.
    const callout = await waitUntil(
      'the slow host called out in the thread',
      async () => texts(await f.thread(runId!)).find((t) => t.includes(`Slow host: ${SLOW_HOST}`)),
      90_000,
    );
    expect(f.env.fleet.member(SLOW_HOST).running).toBe(false);
    expect(f.env.fleet.selfReboots.some((r) => r.host === SLOW_HOST)).toBe(false);
    expect(callout).toMatch(
      /3× or more the median of \d+\.\d s of \d host\(s\) of its batch; the run goes on/,
    );
    // Each batch's chart was in the thread before the run ended: the run is still going.
    const during = charts(await f.thread(runId!));
    expect(during.map((c) => c.title)).toEqual(
      expect.arrayContaining([
        'debian-12.7: % of each data center upgraded, batch 1 starting',
        'debian-12.7: % of each data center upgraded, batch 2 starting',
      ]),
    );

    const run = await f.waitForRun(runId!, 180_000);
    expect(run.state).toBe('succeeded');
    const thread = await f.finalThread(runId!).catch(() => f.thread(runId!));
    // Once per host: the callout is not repeated when the slow host finishes.
    expect(texts(thread).filter((t) => t.includes(`Slow host: ${SLOW_HOST}`))).toHaveLength(1);
    // The chart at the end too.
    expect(charts(thread).some((c) => c.title === 'debian-12.7: % of each data center upgraded')).toBe(true);

    expect(run.targets.map((t) => t.target).sort()).toEqual(WEB);
    expect(run.targets.find((t) => t.target === SLOW_HOST)).toMatchObject({ stage: 'batch', batchIndex: 2 });
    for (const host of WEB) {
      expect(version(host)).toBe('12.7');
      expect(f.env.fleet.bootId(host)).not.toBe(boots.get(host));
      expect(slots.state(host)).toEqual({ booted: 'b', default: 'b', next: null });
    }
    // Rebooted once each; the hosts the selector left alone were not touched.
    expect(f.env.fleet.selfReboots.map((r) => r.host).sort()).toEqual(WEB);
    for (const host of API) {
      expect(version(host)).toBe('12.5');
      expect(f.env.fleet.bootId(host)).toBe(boots.get(host));
    }

    // `/osupgrade status` reads what the upgrade recorded (its records, named by the status module).
    const status = await f.sendCommand(DEMO_REQUESTER, 'status debian-12.7', '/osupgrade');
    expect(status.runId, status.text).toBeDefined();
    const statusRun = await f.waitForRun(status.runId!);
    expect(statusRun.state, JSON.stringify(statusRun.tasks)).toBe('succeeded');
    // In its thread, or in the channel when it was ready before the thread's parent was posted.
    const report = await waitUntil('the status report in Slack', async () =>
      [...texts(await f.thread(status.runId!)), ...texts(f.env.standin.messages(DEMO_CHANNEL))].find((t) =>
        t.includes('*debian-12.7* by data center'),
      ),
    );
    expect(report).toMatch(
      new RegExp(
        `fra1: 4/4 upgraded, 0 failed, 0 pending; 100% success, median \\d+\\.\\d s, slowest ${SLOW_HOST} `,
      ),
    );
    expect(report).toMatch(/ams1: 2\/4 upgraded, 0 failed, 2 pending; 100% success, median \d+\.\d s/);
  }, 300_000);
});
