/**
 * DR drill end to end (issue #12, "Speed"), on the drill's own test world (test/support/drill-fixture.ts:
 * two regions of HTTP backends, HAProxy, knotd, a Redis replica, the load generator, the real engine, and
 * Marshal's Slack app). Each round runs one whole drill, approved and failed back by the approver's decision
 * the moment each gate waits, and measures:
 *   (a) trigger → HAProxy serving the new weights, where the trigger is an approval click (the approval
 *       after the canary → the 25% weights; "Fail back now" → the primary's weights) or a passed check
 *       (the journal's `checkedAt` of the 25% and 50% steps → the next step's weights). "Serving" is the
 *       first time a tight poll of HAProxy's runtime API (`show servers state`) reads every server at the
 *       step's weights: never Marshal's own events.
 *   (b) the drill's time without the people (start → finished, minus each gate's wait from "card can be
 *       posted" to the click) over the sum of its configured waits (each step's soak + the monitoring
 *       period): how much the orchestration and the checks add.
 * The raw cost of one shift (Marshal's verified shift vs bare socket writes) is bench/traffic-shift.ts.
 *
 *   npx tsx bench/dr-drill.ts [--rounds 5] [--soak-ms 1000] [--quick]
 */
import { createConnection } from 'node:net';
import { LocalRedis } from '../src/local/redis-server.js';
import { readJournal } from '../src/drdrill/journal/drill-journal.js';
import { RedisWorkflowRecords } from '../src/records/redis-workflow-records.js';
import { APPROVER, REQUESTER, startDrillFixture } from '../test/support/drill-fixture.js';
import { median } from './config-push/bare-ssh.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
dr-drill: approval click / passed check → HAProxy serving the new weights, and a whole drill's time over its
configured waits, on the drill's real test world (HAProxy, knotd, Redis replica, load generator, engine).
  npx tsx bench/dr-drill.ts [--rounds N] [--soak-ms MS] [--quick]
  --rounds N    whole drills (default 5; --quick: 2), each giving 4 trigger → serving samples
  --soak-ms MS  each step's soak (default 1000; --quick: 500); monitoring runs 3 soaks
Starts its own redis-server (REDIS_URL to use another).
`,
  ['drillTriggerToServingP99', 'drillOverWaits'],
);
const options = benchOptions(USAGE, { rounds: { type: 'string' }, 'soak-ms': { type: 'string' } });
const ROUNDS = count(options['rounds'], options['quick'] ? 2 : 5, 'rounds');
const SOAK = count(options['soak-ms'], options['quick'] ? 500 : 1000, 'soak-ms');
const MONITORING = 3 * SOAK;
const STEPS = [5, 25, 50, 100];
/** What the drill is configured to wait: each step's soak, then the monitoring period. */
const CONFIGURED_WAITS = STEPS.length * SOAK + MONITORING;
const PRIMARY = { west1: 100, central1: 0 };

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with the journal's ISO times. */
const now = () => performance.timeOrigin + performance.now();

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

/** One `show servers state <backend>` on HAProxy's runtime socket: server → user weight. */
function serverWeights(socket: string, backend: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const s = createConnection(socket);
    let out = '';
    s.once('connect', () => s.end(`show servers state ${backend}\n`));
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.once('error', reject);
    s.once('close', () => {
      const weights: Record<string, number> = {};
      // "1" then "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight …"
      for (const line of out.split('\n')) {
        const cols = line.trim().split(/\s+/);
        if (cols.length < 8 || line.startsWith('#')) continue;
        weights[cols[3]!] = Number(cols[7]);
      }
      resolve(weights);
    });
  });
}

/** Polls HAProxy back to back, keeping each change of the weights with the time it was first read. */
function watchWeights(socket: string, backend: string) {
  const seen: { at: number; weights: string }[] = [];
  let polls = 0;
  let refused = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      let read: Record<string, number>;
      try {
        read = await serverWeights(socket, backend);
      } catch {
        // HAProxy refused a connection (its socket busy with the drill's own calls): count it, read again.
        refused++;
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      const weights = JSON.stringify(Object.entries(read).sort());
      const at = now();
      polls++;
      if (seen.at(-1)?.weights !== weights) seen.push({ at, weights });
    }
  })();
  return {
    /** When HAProxy was first read serving exactly `weights` at or after `since`. */
    servingAt(weights: Record<string, number>, since: number): number | undefined {
      const want = JSON.stringify(Object.entries(weights).sort());
      return seen.find((s) => s.at >= since && s.weights === want)?.at;
    },
    polls: () => polls,
    refused: () => refused,
    async stop() {
      running = false;
      await done;
    },
  };
}

async function main(): Promise<void> {
  const redis = process.env.REDIS_URL ? undefined : await LocalRedis.start();
  const f = await startDrillFixture(process.env.REDIS_URL ?? redis!.url);
  // The fixture's scenario with the bench's waits (the fixture's own: 300 ms soaks, 1.5 s monitoring).
  await f.env.writeVariant('checkout', (doc) => {
    doc.shift = { canary: '5%', batches: ['25%', '50%', '100%'], soak: SOAK, dnsSwitchAt: '100%' };
    doc.monitoring = { period: MONITORING, interval: SOAK };
    doc.failback = { policy: 'fail-back', decideWithin: '2m' };
    doc.audit = { file: f.auditFile };
  });
  const haproxy = f.env.haproxy;
  const watch = watchWeights(haproxy.socketPath, 'checkout');
  const records = new RedisWorkflowRecords(f.redis, f.prefix, 'dr-drill');
  const clicks: number[] = [];
  const checks: number[] = [];
  const ratios: number[] = [];
  const missed: string[] = [];

  /**
   * Waits for the gate, then gives the decision as the Slack click handler does (`engine.decide`, by the
   * approver): the figure starts where the click handler hands the decision to the engine, so it leaves
   * out the signed request's trip through Bolt (bench/slack-ack.ts measures that). Returns [gate
   * waiting, click] times.
   */
  const click = async (runId: string, gateId: string, option?: string) => {
    const waiting = await f.event(
      (e) =>
        e.runId === runId &&
        ((e.type === 'gate.waiting' && e.gateId === gateId) || e.type === 'run.finished'),
    );
    if (waiting.type !== 'gate.waiting') throw new Error(`drill ${runId} finished before ${gateId}`);
    const waitingAt = Date.parse(waiting.at);
    const clickedAt = now();
    await f.engine.decide({
      runId,
      gateId,
      decision: 'approve',
      ...(option ? { option } : {}),
      by: APPROVER,
    });
    return { waitingAt, clickedAt };
  };

  try {
    for (let round = -1; round < ROUNDS; round++) {
      const startedAt = now();
      const runId = await f.engine.start({
        workflow: 'dr-drill',
        params: { scenario: 'checkout' },
        requester: REQUESTER,
      });
      const approval = await click(runId, 'execution.approval');
      const failback = await click(runId, 'failback-choice', 'fail-back');
      const run = await f.finished(runId);
      const finishedAt = now();
      if (run.state !== 'succeeded') throw new Error(`drill ${runId} ${run.state}`);
      if (round < 0) {
        console.log(`  warm-up drill: ${((finishedAt - startedAt) / 1000).toFixed(1)} s`);
        continue; // the first drill warms up the JIT, connections and caches
      }
      const journal = readJournal(await records.get(`journal:${runId}`), 'checkout');
      const step = (share: number) => journal.steps.find((s) => s.share === share)!;
      const samples: [number[], string, Record<string, number>, number][] = [
        [clicks, 'approval → 25%', step(25).weights, approval.clickedAt],
        [checks, '25% passed → 50%', step(50).weights, Date.parse(step(25).checkedAt!)],
        [checks, '50% passed → 100%', step(100).weights, Date.parse(step(50).checkedAt!)],
        [clicks, 'fail back → primary', PRIMARY, failback.clickedAt],
      ];
      for (const [into, name, weights, trigger] of samples) {
        const serving = watch.servingAt(weights, trigger);
        if (serving === undefined) missed.push(`${runId.slice(0, 12)} ${name}`);
        else into.push(serving - trigger);
      }
      const people = approval.clickedAt - approval.waitingAt + (failback.clickedAt - failback.waitingAt);
      ratios.push((finishedAt - startedAt - people) / CONFIGURED_WAITS);
      console.log(
        `  drill ${round + 1}/${ROUNDS}: ${((finishedAt - startedAt - people) / 1000).toFixed(2)} s without the people, waits ${(CONFIGURED_WAITS / 1000).toFixed(2)} s`,
      );
    }
  } finally {
    await watch.stop();
    await f.close();
    await redis?.destroy();
  }

  const both = [...clicks, ...checks];
  const row = (name: string, xs: number[]) =>
    console.log(
      `  ${name.padEnd(38)} ${String(xs.length).padStart(3)} ${percentile(xs, 50).toFixed(1).padStart(8)} ${percentile(xs, 99).toFixed(1).padStart(8)}`,
    );
  console.log(
    `trigger → HAProxy serving the new weights (runtime API polled back to back: ${watch.polls()} reads, ${watch.refused()} refused), ${ROUNDS} drills`,
  );
  console.log(`                                           n   p50 ms   p99 ms`);
  row('approval click → serving', clicks);
  row('passed check → serving', checks);
  row('all', both);
  if (missed.length > 0) console.log(`  never seen serving: ${missed.join(', ')}`);
  console.log(againstGoal('drillTriggerToServingP99', percentile(both, 99), 1));
  console.log(
    `whole drill without the people / configured waits (${STEPS.length} soaks of ${SOAK} ms + ${MONITORING} ms monitoring), median of ${ratios.length}: ` +
      `${ratios.map((r) => r.toFixed(2)).join(', ')}`,
  );
  console.log(againstGoal('drillOverWaits', median(ratios)));
}

await main();
