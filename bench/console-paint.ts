/**
 * Console benchmark, in Debian's Chromium (headless, playwright-core) against the real console on the
 * real engine and a fresh LocalRedis:
 * 1. First paint of a run page: first contentful paint and load, for a finished 1,000-host run (a few
 *    hosts failed, so the grid sorts them first), side by side with a 10-host run. Medians over loads
 *    of a fresh page each.
 * 2. Live updates: a run page open while a 1,000-host rollout runs after its approval; for every event the
 *    page applied, the time from the event's own timestamp (engine) to the page changing (browser clock,
 *    same machine). Median and p95.
 * Goals: bench/support/goals.ts.
 *
 *   npx tsx bench/console-paint.ts [--loads 9] [--hosts 1000] [--quick]
 */
import { z } from 'zod';
import { startConsole } from '../src/console/create-console.js';
import { defineWorkflow } from '../src/engine/dag/compile-workflow.js';
import type { RunEvent } from '../src/engine/model/events.js';
import { createRegistry } from '../src/engine/registry.js';
import { createEngine } from '../src/engine/runtime/create-engine.js';
import { LocalRedis } from '../src/local/redis-server.js';
import { silentLogger } from '../src/log/index.js';
import { launchChromium } from '../test/support/chromium.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
console paint: first paint of a 1,000-host run page (vs a 10-host one) and live-update latency, in Chromium.
  npx tsx bench/console-paint.ts [--loads N] [--hosts N] [--quick]
  --loads N   page loads measured per run size (default 9; --quick: 3)
  --hosts N   hosts of the large run (default 1000)
`,
  ['consoleFirstPaint', 'consoleLiveUpdate'],
);
const options = benchOptions(USAGE, { loads: { type: 'string' }, hosts: { type: 'string' } });
const LOADS = count(options['loads'], options['quick'] ? 3 : 9, 'loads');
const HOSTS = count(options['hosts'], 1000, 'hosts');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Each host's step takes a few ms and every 50th fails, so the grid has failures to put first. */
const fleet = defineWorkflow({
  name: 'fleet',
  summary: 'canary, approval, then every host in one batch',
  params: z.object({ n: z.number(), stepMs: z.number() }),
  tasks(wf) {
    wf.rollout('fleet', {
      targets: (ctx) => Array.from({ length: ctx.params.n }, (_, i) => `web-${String(i).padStart(4, '0')}`),
      strategy: () => ({
        canary: 1,
        batches: ['100%'],
        concurrency: 50,
        soakMs: 0,
        maxFailPercentPerBatch: 100,
        maxFailPercentTotal: 100,
      }),
      approval: { timeoutMs: 3600_000 },
      step: {
        name: 'touch',
        apply: async (ctx) => {
          await sleep(ctx.params.stepMs);
          if (ctx.target.endsWith('49') || ctx.target.endsWith('99'))
            throw new Error(`${ctx.target}: config test failed (exit 1)`);
          return { changed: true, summary: `wrote /etc/app.conf on ${ctx.target}` };
        },
      },
    });
  },
});

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const redis = await LocalRedis.start();
const engine = await createEngine({
  redis: redis.url,
  prefix: 'bench-console',
  registry: createRegistry([fleet]),
  logger: silentLogger(),
});
const browser = await launchChromium();
try {
  engine.startWorkers({ concurrency: 50 });
  const web = await startConsole({
    config: { host: '127.0.0.1', port: 0, users: {} },
    engine,
    registry: createRegistry([fleet]),
    // Read-only viewer (loopback, no sign-in): no one to check access for.
    access: {
      allows: () => Promise.resolve(false),
      among: () => Promise.resolve(false),
      approvesAny: () => Promise.resolve(false),
    },
    audit: { entries: () => Promise.resolve([]) },
    thread: () => Promise.resolve(undefined),
    queues: [engine.queue, engine.controlQueue],
    logger: silentLogger(),
  });
  const waiters: { match: (e: RunEvent) => boolean; resolve: () => void }[] = [];
  const sub = await engine.events.subscribe((e) => {
    for (const w of [...waiters])
      if (w.match(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  });
  const next = (match: (e: RunEvent) => boolean) =>
    new Promise<void>((resolve) => waiters.push({ match, resolve }));
  const startAtGate = async (n: number, stepMs: number) => {
    const runId = await engine.start({ workflow: 'fleet', params: { n, stepMs }, requester: 'U-REQ' });
    await next((e) => e.runId === runId && e.type === 'gate.waiting');
    return runId;
  };
  const finished = async (n: number) => {
    const runId = await startAtGate(n, 1);
    const done = next((e) => e.runId === runId && e.type === 'run.finished');
    await engine.decide({ runId, gateId: 'fleet.approval', decision: 'approve', by: 'U-APPROVER' });
    await done;
    return runId;
  };

  /** Loads the run page in a fresh tab: first contentful paint and load, ms from navigation start. */
  const paint = async (runId: string) => {
    const page = await browser.context.newPage();
    await page.goto(`${web.url}/runs/${runId}`, { waitUntil: 'load' });
    // The paint entry may be reported a moment after load: wait for it (buffered) rather than read too soon.
    const t = await page.evaluate<{ fcp: number; load: number; bytes: number }>(`new Promise((resolve) => {
      const nav = performance.getEntriesByType('navigation')[0];
      const done = (fcp) => resolve({ fcp, load: nav.loadEventEnd, bytes: nav.transferSize });
      new PerformanceObserver((list) => {
        const fcp = list.getEntriesByName('first-contentful-paint')[0];
        if (fcp) done(fcp.startTime);
      }).observe({ type: 'paint', buffered: true });
      setTimeout(() => done(NaN), 5000);
    })`);
    const rows = await page.locator('#hosts tbody tr').count();
    await page.close();
    return { ...t, rows };
  };
  const paints = async (runId: string) => {
    await paint(runId); // warm-up: the first load also compiles the script and fills caches
    const all = [];
    for (let i = 0; i < LOADS; i++) all.push(await paint(runId));
    return all;
  };

  const small = await finished(10);
  const large = await finished(HOSTS);
  const smallPaints = await paints(small);
  const largePaints = await paints(large);
  const fcp = (ps: { fcp: number }[]) =>
    pct(
      ps.map((p) => p.fcp),
      50,
    );
  const load = (ps: { load: number }[]) =>
    pct(
      ps.map((p) => p.load),
      50,
    );
  console.log(`run page first paint, medians over ${LOADS} fresh loads      FCP ms   load ms   rows   KiB`);
  for (const [label, ps] of [
    [`  10-host run`, smallPaints],
    [`  ${HOSTS}-host run (${largePaints[0]!.rows} rows)`, largePaints],
  ] as const)
    console.log(
      `${label.padEnd(52)}${fcp(ps).toFixed(0).padStart(7)}  ${load(ps).toFixed(0).padStart(8)}  ${String(ps[0]!.rows).padStart(5)}  ${(ps[0]!.bytes / 1024).toFixed(0).padStart(4)}`,
    );
  console.log(
    `  ${HOSTS}-host / 10-host (FCP)                             ${(fcp(largePaints) / fcp(smallPaints)).toFixed(2).padStart(6)}×`,
  );
  console.log(againstGoal('consoleFirstPaint', fcp(largePaints), 0));

  // Live: the page is open at the gate; the approval sets the whole rollout moving under it.
  const live = await startAtGate(HOSTS, 5);
  const page = await browser.context.newPage();
  await page.goto(`${web.url}/runs/${live}`, { waitUntil: 'load' });
  const done = next((e) => e.runId === live && e.type === 'run.finished');
  await engine.decide({ runId: live, gateId: 'fleet.approval', decision: 'approve', by: 'U-APPROVER' });
  await done;
  await sleep(1500); // the last refetch of the panel lands
  const marks = await page.evaluate<{ type: string; at: string; shownAt: number }[]>('window.__marshalLive');
  const lags = marks.map((m) => m.shownAt - Date.parse(m.at));
  const byType = new Map<string, number[]>();
  for (const [i, m] of marks.entries()) byType.set(m.type, [...(byType.get(m.type) ?? []), lags[i]!]);
  console.log(
    `live updates, ${HOSTS}-host rollout (${marks.length} events applied)   median ms   p95 ms   count`,
  );
  for (const [type, ls] of [['all events', lags] as const, ...byType])
    console.log(
      `  ${type.padEnd(48)}${pct(ls, 50).toFixed(0).padStart(9)}  ${pct(ls, 95).toFixed(0).padStart(7)}  ${String(ls.length).padStart(6)}`,
    );
  console.log(againstGoal('consoleLiveUpdate', pct(lags, 50), 0));
  await page.close();
  await sub.close();
  await web.close();
} finally {
  await browser.close();
  await engine.close();
  await redis.destroy();
}
