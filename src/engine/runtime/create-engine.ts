import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { z } from 'zod';
import { ErrorCode, ValidationError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { DecisionResult, Engine } from '../engine.js';
import { ApprovalRefused } from '../errors/approval-refused.js';
import { RedisRunEvents } from '../events/redis-run-events.js';
import type { RunEvent } from '../model/events.js';
import { bareTarget, type TargetResolver } from '../model/target.js';
import { GateDecision, RunRequest, TargetsView, type LockInfo, type RunSnapshot } from '../model/run.js';
import { FINAL_RUN_STATES, type TaskState } from '../model/task-state.js';
import type { CompiledGate } from '../dag/workflow-definition.js';
import type { WorkflowRegistry } from '../registry.js';
import { abortRun, holdRun, resumeRun } from './controls.js';
import { rollbackFinishedRun } from './post-finish-rollback.js';
import { decideGate, recheckPlan } from './gate.js';
import { buildContext } from './task-context.js';
import type { TaskContext } from '../model/workflow.js';
import { createKeys } from './keys.js';
import { readLedger } from './ledger.js';
import { acquireLocks, listLocks } from './locks.js';
import { Scripts } from './lua/index.js';
import { UnknownRun } from '../errors/unknown-run.js';
import { RunLost } from '../errors/run-lost.js';
import { connectRedis, describeRedis, type RedisConnection } from './redis-connection.js';
import { RedisHealth } from './redis-health.js';
import { readLostRun, startRedisWatch } from './redis-watch.js';
import { DEFAULT_RETENTION_MS, expiredRun } from './retention.js';
import { isSentinelUrl } from './redis-sentinel-url.js';
import { RunInfoCache, type RunInfo } from './run-info.js';
import { nowIso, type Runtime } from './runtime.js';
import { startRoots } from './scheduler.js';
import { readSnapshot } from './snapshot.js';
import { checkRedis } from './startup-checks.js';
import { startWorkerPool, type WorkerOptions, type WorkerPool } from './workers.js';

export interface EngineOptions {
  redis: RedisConnection;
  /** Key prefix for everything the engine stores (runs, locks, events, BullMQ's queue). */
  prefix?: string;
  registry: WorkflowRegistry;
  logger: Logger;
  /** How long a lock lives without renewal; workers renew the locks of active runs. */
  lockTtlMs?: number;
  /** How long a finished run's state, events, ledger and outputs are kept (default 30 days). */
  retentionMs?: number;
  /**
   * Replicas that must confirm (WAIT) a target's `started` record and checkpoints before the step goes
   * on, so a failover cannot lose them. Default: 1 behind Sentinel (`redis+sentinel://`), else 0.
   */
  replicaAcks?: number;
  /** How long to wait for those confirmations (default 2 s); then the attempt is tried again. */
  replicaAckTimeoutMs?: number;
  /** Approximate length each run's event stream is capped to (default 100,000). */
  runEventsMaxLength?: number;
  /**
   * Start on a Redis that keeps nothing across a restart. Only for throwaway use: a restart then loses
   * every run in progress (which the engine notices and reports, but cannot undo).
   */
  allowEphemeralRedis?: boolean;
  /** How often the engine looks at Redis's run_id and eviction policy (default 2 s). */
  watchIntervalMs?: number;
  /** Hosts a run touched according to records outside the engine (the audit), for reports of lost runs. */
  survivingHosts?: (runId: string) => Promise<string[]>;
  /**
   * What each rollout target is (Marshal passes its inventory's `get`): the planner reads its vars for
   * failure domains and host steps get it as `ctx.host`. Without it, targets are bare names (`bareTarget`).
   */
  resolveTarget?: TargetResolver;
  /**
   * Approvals the access config asks of each workflow's approval gates (`access.workflows.<name>.quorum`);
   * a gate asking for more keeps its own. Default 1.
   */
  quorumFor?: (workflow: string) => number;
  /**
   * Told of every event this process emits, with the run's workflow (metrics). Each event is emitted
   * by exactly one process, so counts taken here add up across processes.
   */
  observe?: (event: RunEvent, workflow: string) => void;
}

/** The Engine plus what only a process that owns the connections may do. */
export interface EngineRuntime extends Engine {
  /** Starts BullMQ Workers in this process that work on runs (any run, started by any process). */
  startWorkers(options?: WorkerOptions): WorkerPool;
  /** Whether this process's Redis is reachable and safe to work on (readiness). */
  readonly health: RedisHealth;
  /** The BullMQ queue the work goes through (job counts for metrics; Bull Board, read-only). */
  readonly queue: Queue;
  /** The queue of control work (task transitions, batch hand-outs, gate timeouts), apart from host work. */
  readonly controlQueue: Queue;
  close(): Promise<void>;
}

const DecideInput = z.object({
  runId: z.string().min(1),
  gateId: z.string().min(1),
  decision: GateDecision,
  option: z.string().min(1).optional(),
  by: z.string().min(1),
  reason: z.string().optional(),
  planHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be the 64-hex-digit sha256 of the plan')
    .optional(),
});

/**
 * Connects to Redis, refuses one that could evict run state, and returns the Engine. Creates no
 * worker: call `startWorkers` in the processes that should do the work.
 */
export async function createEngine(options: EngineOptions): Promise<EngineRuntime> {
  const where = describeRedis(options.redis);
  const health = new RedisHealth(options.logger, where);
  const redis = connectRedis(options.redis, 'marshal-engine');
  health.watchPrimary(redis);
  try {
    await checkRedis(redis, options.logger, {
      where,
      allowEphemeral: options.allowEphemeralRedis ?? false,
    });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const keys = createKeys(options.prefix ?? 'marshal');
  const subscribers = new Set<ReturnType<typeof connectRedis>>();
  const events = new RedisRunEvents({
    redis,
    connect: () => {
      const c = connectRedis(options.redis, 'marshal-events', health);
      subscribers.add(c);
      return c;
    },
    globalStream: keys.events,
    runStream: (runId) => keys.runEvents(runId),
    runMaxLength: options.runEventsMaxLength ?? 100_000,
    logger: options.logger,
  });
  // BullMQ's own event log is read by nothing of Marshal's (run events are ours): keep it short.
  const queue = new Queue(keys.queueName, {
    connection: redis,
    prefix: keys.prefix,
    streams: { events: { maxLen: 1000 } },
  });
  health.watch(queue, 'marshal-queue');
  const controlQueue = new Queue(keys.controlQueueName, {
    connection: redis,
    prefix: keys.prefix,
    streams: { events: { maxLen: 1000 } },
  });
  health.watch(controlQueue, 'marshal-control-queue');
  // What this process itself knows of the runs it follows, kept outside Redis: if Redis loses its
  // data, these are the runs to look for and (part of) the hosts they touched.
  const live = new Set<string>();
  const touched = new Map<string, Set<string>>();
  const follow = (event: RunEvent): void => {
    if (event.type === 'run.finished' || event.type === 'run.lost') {
      live.delete(event.runId);
      touched.delete(event.runId);
      return;
    }
    live.add(event.runId);
    if (event.type === 'target.finished') {
      let hosts = touched.get(event.runId);
      if (!hosts) touched.set(event.runId, (hosts = new Set()));
      hosts.add(event.result.target);
    }
  };
  const rt: Runtime = {
    redis,
    scripts: new Scripts(redis),
    keys,
    queue,
    controlQueue,
    registry: options.registry,
    logger: options.logger,
    events,
    runs: new RunInfoCache(redis, keys, options.registry),
    lockTtlMs: options.lockTtlMs ?? 10 * 60_000,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    replicaAcks:
      options.replicaAcks ?? (typeof options.redis === 'string' && isSentinelUrl(options.redis) ? 1 : 0),
    replicaAckTimeoutMs: options.replicaAckTimeoutMs ?? 2000,
    health,
    resolveTarget: options.resolveTarget ?? bareTarget,
    configuredQuorum: options.quorumFor ?? (() => 1),
    emit(event) {
      follow(event);
      if (options.observe) observe(options.observe, event);
      events
        .publish(event)
        .catch((err: unknown) =>
          options.logger.warn({ err, type: event.type }, 'could not publish a run event'),
        );
    },
  };
  const observe = (to: NonNullable<EngineOptions['observe']>, event: RunEvent): void => {
    const tell = (workflow: string) => {
      try {
        to(event, workflow);
      } catch (err) {
        options.logger.warn({ err, type: event.type }, 'an event observer failed');
      }
    };
    if (event.type === 'run.started') return tell(event.workflow);
    rt.runs.get(event.runId).then(
      (info) => tell(info.def.name),
      () => tell('unknown'),
    );
  };
  const pools: WorkerPool[] = [];
  const watch = startRedisWatch(rt, {
    health,
    intervalMs: options.watchIntervalMs ?? 2000,
    liveRuns: () => live,
    touchedBy: (runId) => touched.get(runId) ?? [],
    ...(options.survivingHosts ? { survivingHosts: options.survivingHosts } : {}),
  });
  // The run_id every later look is compared with.
  await watch.tick().catch((err: unknown) => options.logger.debug({ err }, 'first Redis watch failed'));

  async function start(input: RunRequest): Promise<string> {
    const parsed = RunRequest.safeParse(input);
    if (!parsed.success) throw ValidationError.fromZod('run request', parsed.error);
    const req = parsed.data;
    const def = rt.registry.get(req.workflow);
    const params = def.params.safeParse(req.params);
    if (!params.success)
      throw ValidationError.fromZod(`parameters of workflow ${def.name}`, params.error, {
        context: { workflow: def.name },
      });
    // What the request names must exist before anything is created, locked, recorded or alerted.
    await def.admit(params.data);
    const runId = newRunId();
    const retryTargets = req.retryOf ? await failedTargets(req.retryOf) : undefined;
    // A dry run changes nothing, so it must not hold back a real run of the same thing.
    const lockNames = req.dryRun ? [] : (def.locks?.(params.data) ?? []);
    await acquireLocks(rt, runId, lockNames, `${def.name} run by ${req.requester}`);
    const createdAt = nowIso();
    const info: RunInfo = {
      runId,
      def,
      params: params.data,
      requester: req.requester,
      dryRun: req.dryRun,
      meta: req.meta,
      createdAt,
      retryOf: req.retryOf,
      retryTargets,
      startedMs: Date.now(),
    };
    const taskFields: string[] = [];
    for (const id of def.order) taskFields.push(id, 'pending');
    await redis
      .multi()
      .hset(keys.run(runId), {
        workflow: def.name,
        requester: req.requester,
        dryRun: req.dryRun ? '1' : '0',
        state: 'running',
        params: JSON.stringify(params.data),
        meta: JSON.stringify(req.meta),
        retryOf: req.retryOf ?? '',
        retryTargets: retryTargets ? JSON.stringify(retryTargets) : '',
        createdAt,
        startedMs: String(info.startedMs),
        remaining: String(def.order.length),
      })
      .hset(keys.tasks(runId), ...taskFields)
      .zadd(keys.runs, info.startedMs, runId)
      .sadd(keys.activeRuns, runId)
      .exec();
    rt.runs.remember(info);
    live.add(runId);
    rt.emit({
      type: 'run.started',
      runId,
      at: createdAt,
      workflow: def.name,
      requester: req.requester,
      dryRun: req.dryRun,
      meta: req.meta,
      ...(req.retryOf ? { retryOf: req.retryOf } : {}),
    });
    const states = new Map<string, TaskState>(def.order.map((id) => [id, 'pending']));
    await startRoots(rt, info, states);
    return runId;
  }

  /** Per rollout, the targets whose step failed in an earlier run. */
  async function failedTargets(runId: string): Promise<Record<string, string[]>> {
    const info = await rt.runs.get(runId);
    const out: Record<string, string[]> = {};
    for (const e of await readLedger(redis, keys, runId)) {
      const stage = info.def.tasks.get(e.taskId);
      if (e.state !== 'failed' || !stage || stage.kind !== 'stage') continue;
      (out[stage.rolloutId] ??= []).push(e.target);
    }
    return out;
  }

  /** A run Redis does not know: lost (and say what is known) if any record says so, else unknown. */
  async function lostOr(err: unknown, runId: string): Promise<never> {
    if (!(err instanceof UnknownRun)) throw err;
    const recorded = await readLostRun(rt, runId);
    if (recorded) throw recorded;
    // Older than the retention period: expired, not lost (the audit may well still name its hosts).
    const expired = expiredRun(rt, runId);
    if (expired) throw expired;
    // No loss was recorded, but records written after the loss (the ledger of steps that were in
    // flight, the audit) may still name the run: then it did exist, and those hosts were touched.
    const hosts = new Set<string>();
    for (const field of await redis.hkeys(keys.ledger(runId))) {
      const sep = field.indexOf('|');
      if (sep > 0 && !field.includes('#')) hosts.add(field.slice(sep + 1));
    }
    for (const h of (await options.survivingHosts?.(runId).catch(() => [])) ?? []) hosts.add(h);
    const traces = hosts.size > 0 || (await redis.exists(keys.run(runId), keys.tasks(runId))) > 0;
    if (!traces) throw err;
    throw new RunLost({
      runId,
      hosts: [...hosts].sort(),
      why: 'the run itself is gone from Redis, but records written later still name it',
    });
  }

  async function decide(input: z.input<typeof DecideInput>): Promise<DecisionResult> {
    const parsed = DecideInput.safeParse(input);
    if (!parsed.success) throw ValidationError.fromZod('gate decision', parsed.error);
    const d = parsed.data;
    const info = await rt.runs.get(d.runId);
    const gate = info.def.tasks.get(d.gateId);
    if (!gate || gate.kind !== 'gate') {
      throw new ValidationError(
        'gate decision',
        [{ path: 'gateId', message: `run ${d.runId} has no approval gate "${d.gateId}"` }],
        { code: ErrorCode.InvalidInput },
      );
    }
    if (d.by === info.requester) throw new ApprovalRefused(d.runId, d.gateId, d.by);
    checkOption(d.runId, gate, d.decision, d.option);
    if (d.decision === 'approve' && gate.gate.plan) {
      // The workflow's identity of what ships may have changed since the card was posted: then this
      // decision was made on another plan, and approvers are asked again (a new card).
      const checked = await recheckPlan(rt, info, gate, await gateContext(info, gate.id));
      if (checked.changed) return { applied: false, why: 'stale_plan', planHash: checked.planHash };
    }
    const r = await decideGate(
      rt,
      info,
      d.gateId,
      d.decision === 'approve' ? 'approved' : 'rejected',
      d.by,
      d.reason,
      d.decision === 'approve' ? d.option : undefined,
      d.planHash,
    );
    if (r.applied)
      return {
        applied: true,
        decision: d.decision,
        ...(d.decision === 'approve' && d.option ? { option: d.option } : {}),
        by: d.by,
        at: r.at,
      };
    if (r.why === 'awaiting_quorum' || r.why === 'stale_plan') return r;
    const earlier =
      r.state === 'approved'
        ? 'approve'
        : r.state === 'rejected' || r.state === 'timed_out'
          ? 'reject'
          : undefined;
    return {
      applied: false,
      why: r.why,
      ...(earlier ? { decision: earlier } : {}),
      ...(r.option ? { option: r.option } : {}),
      ...(r.by ? { by: r.by } : {}),
      ...(r.at ? { at: r.at } : {}),
    };
  }

  /** What a gate's `plan` hook reads outside a job: the run's params and the outputs recorded so far. */
  async function gateContext(info: RunInfo, gateId: string): Promise<TaskContext<unknown>> {
    const [outputs, attempt] = await Promise.all([
      redis.hgetall(keys.outputs(info.runId)),
      redis.hget(keys.tasks(info.runId), `${gateId}#a`),
    ]);
    const a = Number(attempt ?? 0);
    return buildContext(rt, info, {
      taskId: gateId,
      attempt: a,
      signal: new AbortController().signal,
      outputs,
      changed: new Map(),
      fence: { kind: 'task', taskId: gateId, attempt: a },
    });
  }

  async function list(opts: { limit?: number; active?: boolean } = {}): Promise<RunSnapshot[]> {
    const limit = opts.limit ?? 50;
    const ids = await redis.zrevrange(keys.runs, 0, opts.active ? -1 : limit - 1);
    const out: RunSnapshot[] = [];
    for (const id of ids) {
      if (out.length >= limit) break;
      // A list names no host: each run's counts come from its counters (see TargetsView).
      const snap = await readSnapshot(rt, id, 'notable').catch(() => undefined);
      if (!snap || (opts.active && FINAL_RUN_STATES.has(snap.state))) continue;
      out.push(snap);
    }
    return out;
  }

  return {
    events,
    start,
    decide,
    hold: async (runId, by) => holdRun(rt, await rt.runs.get(runId), by),
    resume: async (runId, by) => resumeRun(rt, await rt.runs.get(runId), by),
    abort: async (runId, by, o) => abortRun(rt, await rt.runs.get(runId), by, o?.rollback),
    rollback: async (runId, by) => {
      if (!by) throw new ValidationError('rollback', [{ path: 'by', message: 'who asks must be named' }]);
      return rollbackFinishedRun(
        rt,
        await rt.runs.get(runId).catch((err: unknown) => lostOr(err, runId)),
        by,
      );
    },
    async retryFailed(runId, by) {
      const snap = await readSnapshot(rt, runId);
      return start({
        workflow: snap.workflow,
        params: snap.params,
        requester: by,
        dryRun: snap.dryRun,
        meta: snap.meta,
        retryOf: runId,
      });
    },
    async get(runId, getOptions) {
      const view = TargetsView.safeParse(getOptions?.targets ?? 'all');
      if (!view.success) throw ValidationError.fromZod('run view', view.error);
      return readSnapshot(rt, runId, view.data).catch((err: unknown) => lostOr(err, runId));
    },
    list,
    locks: (): Promise<LockInfo[]> => listLocks(rt),
    startWorkers(workerOptions) {
      const pool = startWorkerPool(rt, options.redis, workerOptions);
      pools.push(pool);
      return pool;
    },
    health,
    queue,
    controlQueue,
    async close() {
      await watch.close();
      await Promise.all(pools.map((p) => p.close()));
      await queue.close();
      await controlQueue.close();
      for (const s of subscribers) s.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * A choice gate is approved with one of its options, and only so; an approval gate takes no option.
 * Refused before anything is written, naming what is allowed.
 */
function checkOption(
  runId: string,
  gate: CompiledGate<unknown>,
  decision: GateDecision,
  option: string | undefined,
): void {
  const ids = gate.gate.options.map((o) => o.id);
  let message: string | undefined;
  if (gate.gate.kind === 'approval' && option !== undefined) {
    message = `gate "${gate.id}" of run ${runId} is an approval: approve or reject it, with no option`;
  } else if (
    gate.gate.kind === 'choice' &&
    decision === 'approve' &&
    (option === undefined || !ids.includes(option))
  ) {
    message =
      `${option === undefined ? 'no option was given' : `"${option}" is not an option`} of choice gate ` +
      `"${gate.id}" of run ${runId}; pick one of ${ids.join(', ')}`;
  }
  if (message !== undefined) {
    throw new ValidationError('gate decision', [{ path: 'option', message }], {
      code: ErrorCode.InvalidInput,
    });
  }
}

/** Sortable by time, unique enough, and free of `:` and `|` (used in job ids). */
function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
