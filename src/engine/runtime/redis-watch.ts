import { RunLost } from '../errors/run-lost.js';
import type { RedisHealth } from './redis-health.js';
import { isEvictingPolicy, parseInfo } from './redis-info.js';
import { nowIso, type Runtime } from './runtime.js';

export interface RedisWatchOptions {
  health: RedisHealth;
  intervalMs: number;
  /** Runs this process is working on or following (started, emitted events for, not yet finished). */
  liveRuns: () => Iterable<string>;
  /** Hosts this process saw the run touch (its own records, in memory). */
  touchedBy: (runId: string) => Iterable<string>;
  /** Hosts other surviving records name (the audit stream). */
  survivingHosts?: (runId: string) => Promise<string[]>;
  /** Called once a lost run is recorded (after the loss record and the `run.lost` event). */
  onLost?: (runId: string) => void;
}

export interface RedisWatch {
  /** One look now (tests; the interval calls it too). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches the Redis this process works on for what start-up checks cannot see:
 * - a switch to an evicting `maxmemory-policy` at runtime (CONFIG SET), reported loudly;
 * - a restart that lost the data under running work. Redis's `run_id` (INFO server) changes on every
 *   restart; when it does, the runs that were active before (read atomically with the run_id) and the
 *   runs this process follows are looked up again, and those whose state is gone are reported lost.
 */
export function startRedisWatch(rt: Runtime, options: RedisWatchOptions): RedisWatch {
  const { health, logger } = { health: options.health, logger: rt.logger };
  let redisRunId: string | undefined;
  let activeBefore = new Set<string>();
  let policyReported: string | undefined;

  async function tick(): Promise<void> {
    const replies = await rt.redis
      .multi()
      .info('server')
      .smembers(rt.keys.activeRuns)
      .config('GET', 'maxmemory-policy')
      .exec();
    if (!replies) return;
    const [[, info], [, active], [, policyReply]] = replies as [
      [unknown, string],
      [unknown, string[]],
      [unknown, string[]],
    ];
    const policy = policyReply[1];
    checkPolicy(policy);
    const runId = parseInfo(info).get('run_id');
    const previous = redisRunId;
    const before = activeBefore;
    redisRunId = runId;
    activeBefore = new Set(active);
    if (previous === undefined || runId === previous) return;
    await restarted(previous, runId ?? 'unknown', before);
  }

  function checkPolicy(policy: string | undefined): void {
    if (isEvictingPolicy(policy)) {
      if (policyReported === policy) return;
      policyReported = policy;
      const problem = `Redis at REDIS_URL=${health.where} was switched to maxmemory-policy "${policy}" at runtime: it may now evict run state, locks and queued jobs. Set it back: \`redis-cli CONFIG SET maxmemory-policy noeviction\``;
      health.setProblem(problem);
      logger.error({ redis: health.where, maxmemoryPolicy: policy }, problem);
      return;
    }
    if (policyReported !== undefined) {
      logger.warn({ redis: health.where }, 'Redis maxmemory-policy is noeviction again');
      policyReported = undefined;
      health.setProblem(undefined);
    }
  }

  async function restarted(previous: string, current: string, before: Set<string>): Promise<void> {
    const candidates = new Set([...before, ...options.liveRuns()]);
    const lost: string[] = [];
    for (const id of candidates) {
      // A run's hash may be re-created in part by a late write after the loss; `workflow` is set only at start.
      if (!(await rt.redis.hexists(rt.keys.run(id), 'workflow'))) lost.push(id);
    }
    if (lost.length === 0) {
      logger.warn(
        { redis: health.where, previousRunId: previous, runId: current, runs: candidates.size },
        'Redis restarted (its run_id changed); every run in progress is still there',
      );
      return;
    }
    for (const id of lost) await recordLoss(id, previous, current);
  }

  async function recordLoss(runId: string, previous: string, current: string): Promise<void> {
    const hosts = new Set(options.touchedBy(runId));
    for (const field of await rt.redis.hkeys(rt.keys.ledger(runId))) {
      const sep = field.indexOf('|');
      if (sep > 0 && !field.includes('#')) hosts.add(field.slice(sep + 1));
    }
    for (const h of (await options.survivingHosts?.(runId).catch(() => [])) ?? []) hosts.add(h);
    const detectedAt = nowIso();
    const why = `Redis restarted without its data (run_id ${previous.slice(0, 8)}… → ${current.slice(0, 8)}…)`;
    const multi = rt.redis
      .multi()
      .hsetnx(rt.keys.lost(runId), 'detectedAt', detectedAt)
      .hsetnx(rt.keys.lost(runId), 'why', why)
      .zadd(rt.keys.lostRuns, Date.now(), runId);
    if (hosts.size > 0) multi.sadd(rt.keys.lostHosts(runId), ...hosts);
    const replies = await multi.exec();
    const first = replies?.[0]?.[1] === 1;
    const [recorded, known] = await Promise.all([
      rt.redis.hgetall(rt.keys.lost(runId)),
      rt.redis.smembers(rt.keys.lostHosts(runId)),
    ]);
    const facts = {
      runId,
      hosts: known.sort(),
      detectedAt: recorded.detectedAt ?? detectedAt,
      why: recorded.why ?? why,
    };
    logger.error(
      { runId, hosts: facts.hosts, redis: health.where, previousRunId: previous, redisRunId: current },
      new RunLost(facts).message,
    );
    rt.runs.forget(runId);
    // One process tells the run's followers (terminal, Slack thread); every process logs.
    if (first) rt.emit({ type: 'run.lost', at: detectedAt, ...facts });
    options.onLost?.(runId);
  }

  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = tick()
      .catch((err: unknown) => logger.debug({ err }, 'Redis watch could not look; will try again'))
      .finally(() => (running = undefined));
  }, options.intervalMs);
  timer.unref();
  return {
    tick,
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}

/** What is recorded about a lost run, if anything: for `Engine.get` of a run that is gone. */
export async function readLostRun(rt: Runtime, runId: string): Promise<RunLost | undefined> {
  const [recorded, hosts] = await Promise.all([
    rt.redis.hgetall(rt.keys.lost(runId)),
    rt.redis.smembers(rt.keys.lostHosts(runId)),
  ]);
  if (recorded.detectedAt) {
    return new RunLost({
      runId,
      hosts: hosts.sort(),
      detectedAt: recorded.detectedAt,
      why: recorded.why ?? 'its state vanished from Redis',
    });
  }
  return undefined;
}
