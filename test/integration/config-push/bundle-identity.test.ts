import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/audit/index.js';
import type { RunSnapshot } from '../../../src/engine/index.js';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_REQUESTER,
  LOADED,
  TARGET,
  sha256,
} from '../../support/config-push-fixture.js';

const MIRROR_DIR = '/etc/marshal-apps/rate-limiter-mirror';
const MIRROR_TARGET = `${MIRROR_DIR}/rate-limiter.yaml`;
const MIRROR_LOADED = `${MIRROR_DIR}/loaded.yaml`;

/**
 * A second bundle whose file is byte-identical to rate-limiter's but which installs it elsewhere and
 * reloads another application: the same content, a different bundle.
 */
function mirrorBundle(root: string): void {
  const dir = join(root, 'rate-limiter-mirror');
  cpSync(resolve('bundles/rate-limiter'), dir, { recursive: true });
  const manifest = join(dir, 'bundle.yaml');
  const text = readFileSync(manifest, 'utf8')
    .replace(/^name: rate-limiter$/m, 'name: rate-limiter-mirror')
    .replaceAll('/etc/marshal-apps/rate-limiter/', `${MIRROR_DIR}/`);
  if (!text.includes(MIRROR_TARGET) || !text.includes(MIRROR_LOADED))
    throw new Error('the mirror manifest did not get its own target and reload');
  writeFileSync(manifest, text);
}

/** Issue #8 item 5: bundles with byte-identical files must not alias each other. */
describe('config push of two bundles with the same content', () => {
  let f: ConfigPushFixture;
  let bundles: string;
  beforeAll(async () => {
    bundles = mkdtempSync(join(tmpdir(), 'marshal-identity-bundles-'));
    cpSync(resolve('bundles/rate-limiter'), join(bundles, 'rate-limiter'), { recursive: true });
    mirrorBundle(bundles);
    f = await ConfigPushFixture.start({ hosts: 2, bundlesDir: bundles });
    for (const host of f.hosts) {
      const dir = f.env.fleet.localPath(host, MIRROR_DIR);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'rate-limiter.yaml'), 'version: 2\n');
      writeFileSync(join(dir, 'loaded.yaml'), 'version: 2\n');
    }
  });
  afterAll(async () => {
    await f?.close();
    rmSync(bundles, { recursive: true, force: true });
  });

  /** One push to one host, approved by another operator; with the locks it held at the approval. */
  async function push(bundle: string, host: string): Promise<{ run: RunSnapshot; locks: string[] }> {
    const reply = await f.sendCommand(DEMO_REQUESTER, `push ${bundle} to ${host} --canary 0 --batches 100%`);
    if (!reply.runId) throw new Error(`the push of ${bundle} was refused: ${reply.text}`);
    const card = await f.waitForApprovalCard(reply.runId);
    const locks = (await f.server.marshal.engine.locks())
      .filter((l) => l.owner === reply.runId)
      .map((l) => l.name);
    await f.press(MARSHAL_APPROVE, card, DEMO_APPROVER);
    return { run: await f.waitForRun(reply.runId), locks };
  }

  it('the second push writes its own target and runs its own reload, and the audit says so', async () => {
    const host = f.hosts[0]!.name;
    const wanted = f.bundleSha();
    expect(sha256(readFileSync(join(bundles, 'rate-limiter-mirror', 'rate-limiter.yaml')))).toBe(wanted);

    const first = await push('rate-limiter', host);
    expect(first.run.state).toBe('succeeded');
    expect(first.locks).toContain(`path:${host}:${TARGET}`);
    expect(f.hostSha(host)).toBe(wanted);
    // What the rate limiter runs is now settled: the second push must not touch it again.
    writeFileSync(f.env.fleet.localPath(host, LOADED), 'reloaded by the first push only\n');

    const { run, locks } = await push('rate-limiter-mirror', host);
    expect(run.state).toBe('succeeded');
    // The paths it writes are locked, by host and file, not by bundle content.
    expect(locks.filter((l) => l.startsWith('path:'))).toEqual([`path:${host}:${MIRROR_TARGET}`]);
    expect({
      mirror: f.hostSha(host, MIRROR_TARGET),
      mirrorLoaded: f.hostSha(host, MIRROR_LOADED),
      rateLimiter: f.hostSha(host, TARGET),
      rateLimiterLoaded: f.hostFile(host, LOADED),
    }).toEqual({
      mirror: wanted,
      mirrorLoaded: wanted,
      rateLimiter: wanted,
      rateLimiterLoaded: 'reloaded by the first push only\n',
    });

    const entries: AuditEntry[] = await f.server.marshal.audit.entries(run.runId);
    const finished = entries.find((e) => e.kind === 'config.push.finished');
    expect(finished?.data).toMatchObject({
      bundle: { name: 'rate-limiter-mirror', sha256: wanted, target: MIRROR_TARGET },
    });
  }, 240_000);
});
