import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedLines } from '../../support/test-workflows.js';
import { startHarness, tempDir } from '../../support/engine-harness.js';
import { uniquePrefix } from '../../support/redis.js';

const PRIMARY = 'marshal-test';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A primary, a replica (both AOF on, noeviction) and one redis-sentinel watching them, on free ports. */
describe('Redis behind Sentinel: a primary failover in the middle of a run', () => {
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'marshal-sentinel-'));
  const ports = { primary: 0, replica: 0, sentinel: 0 };
  let sentinel: Redis;

  beforeAll(async () => {
    ports.primary = await freePort();
    ports.replica = await freePort();
    ports.sentinel = await freePort();
    const common = [
      '--bind',
      '127.0.0.1',
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
    ];
    for (const [name, port, more] of [
      ['primary', ports.primary, []],
      ['replica', ports.replica, ['--replicaof', '127.0.0.1', String(ports.primary)]],
    ] as const) {
      const d = join(dir, name);
      mkdirSync(d, { recursive: true });
      children.push(
        spawn(
          'redis-server',
          ['--port', String(port), '--dir', d, '--appendfilename', `${name}.aof`, ...common, ...more],
          {
            stdio: 'ignore',
          },
        ),
      );
    }
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${ports.sentinel}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${PRIMARY} 127.0.0.1 ${ports.primary} 1`,
        `sentinel down-after-milliseconds ${PRIMARY} 2000`,
        `sentinel failover-timeout ${PRIMARY} 10000`,
        '',
      ].join('\n'),
    );
    children.push(spawn('redis-sentinel', [conf], { stdio: 'ignore' }));
    sentinel = new Redis({
      port: ports.sentinel,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => 100,
    });
    sentinel.on('error', () => undefined);
    // The sentinel knows the replica, and the replica is in sync.
    await until('the sentinel to see an in-sync replica', async () => {
      const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', PRIMARY)) as string[][];
      return replicas.some((r) => {
        const f = new Map<string, string>();
        for (let i = 0; i < r.length; i += 2) f.set(r[i]!, r[i + 1]!);
        return f.get('flags') === 'slave' && f.get('master-link-status') === 'ok';
      });
    });
  }, 120_000);

  afterAll(async () => {
    sentinel?.disconnect();
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('the run goes on on the new primary: every host applied exactly once, the run succeeds', async () => {
    const h = await startHarness(
      `redis+sentinel://127.0.0.1:${ports.sentinel}/${PRIMARY}`,
      uniquePrefix('sentinel'),
      { concurrency: 2, reconcileIntervalMs: 1000 },
    );
    try {
      const workDir = tempDir();
      const targets = Array.from({ length: 10 }, (_, i) => `s${i}`);
      const runId = await h.engine.start({
        workflow: 'deploy',
        params: { dir: workDir, targets, canary: 1, batches: [9], concurrency: 2, stepDelayMs: 800 },
        requester: 'U1',
      });
      // Fail over once the batch is under way: some hosts done, some in flight, some not started.
      await h.event((e) => e.runId === runId && e.type === 'target.finished' && e.result.stage === 'batch');
      await sentinel.call('SENTINEL', 'FAILOVER', PRIMARY);
      await until('the sentinel to name the replica as primary', async () => {
        const addr = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', PRIMARY)) as string[];
        return addr[1] === String(ports.replica);
      });
      const snap = await h.finished(runId);
      expect(snap.state).toBe('succeeded');
      for (const t of targets) expect({ t, lines: appliedLines(workDir, t) }).toEqual({ t, lines: 1 });
      expect(snap.targets.map((t) => t.target).sort()).toEqual([...targets].sort());
    } finally {
      await h.close();
    }
  });
});
