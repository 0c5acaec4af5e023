import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunEvent } from '../engine/model/events.js';
import type { RunSnapshot } from '../engine/model/run.js';
import { isFinalTaskState } from '../engine/model/task-state.js';

/** What the metrics read besides the events: a run's history and snapshot, the queue's job counts. */
export interface MetricsSources {
  history(runId: string): Promise<RunEvent[]>;
  get(runId: string): Promise<RunSnapshot>;
  queueCounts(): Promise<{ waiting: number; active: number; delayed: number }>;
  /** Runs not final yet. */
  active(): Promise<RunSnapshot[]>;
}

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const WAIT_SECONDS = [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400];
const RUN_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

/**
 * What this process counts itself (see MarshalMetrics): one metric a line, so adding one is one line
 * and the names, labels and buckets can be read down the columns.
 */
// prettier-ignore
const OWN_METRICS = {
  runsStarted:          { kind: 'counter',   name: 'marshal_runs_started_total',           labels: ['workflow', 'dry_run'],           help: 'Runs started, by workflow.' },
  runsFinished:         { kind: 'counter',   name: 'marshal_runs_finished_total',          labels: ['workflow', 'outcome'],           help: 'Runs finished, by workflow and outcome (succeeded, failed, aborted; lost when Redis lost the run).' },
  runDuration:          { kind: 'histogram', name: 'marshal_run_duration_seconds',         labels: ['workflow', 'outcome'],           buckets: RUN_SECONDS,  help: 'Run duration from start to its final state.' },
  taskDuration:         { kind: 'histogram', name: 'marshal_task_duration_seconds',        labels: ['workflow', 'task', 'state'],     buckets: SECONDS,      help: 'Task duration from running to its final state (tasks that started and ended in this process).' },
  hostStepDuration:     { kind: 'histogram', name: 'marshal_host_step_duration_seconds',   labels: ['workflow', 'stage', 'outcome'],  buckets: SECONDS,      help: 'Duration of one host step (a rollout target), by stage and outcome.' },
  approvalWait:         { kind: 'histogram', name: 'marshal_approval_wait_seconds',        labels: ['workflow', 'decision'],          buckets: WAIT_SECONDS, help: 'How long a gate waited for its decision, by decision (timed_out when nobody decided).' },
  approvalsWaiting:     { kind: 'gauge',     name: 'marshal_approvals_waiting',            labels: ['workflow'],                      help: 'Gates opened minus gates decided in this process (sum over processes: gates waiting now).' },
  hostsChanged:         { kind: 'counter',   name: 'marshal_hosts_changed_total',          labels: ['workflow'],                      help: 'Hosts a step changed.' },
  hostsFailed:          { kind: 'counter',   name: 'marshal_hosts_failed_total',           labels: ['workflow', 'kind'],              help: 'Hosts whose step failed (error says why in the run), by failure kind.' },
  hostsRolledBack:      { kind: 'counter',   name: 'marshal_hosts_rolled_back_total',      labels: ['workflow'],                      help: 'Hosts put back by a rollback, counted when their run finished.' },
  slackCalls:           { kind: 'counter',   name: 'marshal_slack_api_calls_total',        labels: ['method'],                        help: 'Slack Web API calls made by this process, by method.' },
  slackRateLimited:     { kind: 'counter',   name: 'marshal_slack_api_rate_limited_total', labels: ['method'],                        help: 'Slack Web API answers 429 (rate limited), by method.' },
  sshConnections:       { kind: 'counter',   name: 'marshal_ssh_connections_total',        labels: [],                                help: 'SSH connections opened by this process.' },
  sshHandshakeFailures: { kind: 'counter',   name: 'marshal_ssh_handshake_failures_total', labels: ['reason'],                        help: 'SSH connection attempts that failed (unreachable, handshake or authentication, host key refused), by reason.' },
} as const satisfies Record<string, MetricSpec>;

/**
 * Marshal's Prometheus metrics, one registry per process.
 *
 * How processes add up: every run event is emitted by exactly one process (the one whose Lua
 * transition won), and each process counts only the events it emitted itself (`observe`, hooked into
 * the engine's emit). So `sum without (instance) (...)` over all `serve` and `worker` processes is the
 * fleet-wide total, with nothing counted twice and no shared registry to coordinate. Slack and SSH
 * counters are naturally per process. The queue gauges read BullMQ's shared counts, so every process
 * reports the same value: aggregate them with `max`, not `sum`.
 */
export class MarshalMetrics {
  readonly registry = new Registry();
  private sources: MetricsSources | undefined;
  /** When each task started running in this process, for its duration (bounded). */
  private readonly taskStarts = new Map<string, number>();
  /** The active runs being read for the scrape under way (see activeRunsOfScrape). */
  private activeRead: Promise<RunSnapshot[]> | undefined;

  /** The metrics of OWN_METRICS, in this process's registry. */
  private readonly m = buildMetrics(this.registry, OWN_METRICS);

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const sources = (): MetricsSources | undefined => this.sources;
    const activeRuns = (): Promise<RunSnapshot[]> => this.activeRunsOfScrape();
    new Gauge({
      name: 'marshal_queue_jobs',
      help: 'BullMQ jobs by state (the shared queue: every process reports the same; aggregate with max).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await sources()
          ?.queueCounts()
          .catch(() => undefined);
        if (!counts) return;
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'marshal_active_run_age_seconds',
      help: 'Age of each run not yet finished (shared state: aggregate with max). Alerts find stuck runs here.',
      labelNames: ['workflow', 'run', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const runs = await activeRuns();
        const now = Date.now();
        for (const r of runs)
          this.set(
            { workflow: r.workflow, run: r.runId, state: r.state },
            Math.max(0, now - Date.parse(r.createdAt)) / 1000,
          );
      },
    });
    new Gauge({
      name: 'marshal_approval_waiting_seconds',
      help: 'How long each open gate has waited for a decision so far (shared state: aggregate with max).',
      labelNames: ['workflow', 'run', 'gate'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const runs = await activeRuns();
        const now = Date.now();
        for (const r of runs)
          for (const g of r.gates.filter((gate) => gate.state === 'waiting')) {
            const since = r.tasks.find((t) => t.taskId === g.gateId)?.startedAt ?? r.createdAt;
            this.set(
              { workflow: r.workflow, run: r.runId, gate: g.gateId },
              Math.max(0, now - Date.parse(since)) / 1000,
            );
          }
      },
    });
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'marshal_' });
  }

  /**
   * The active runs for the scrape under way, read once for every gauge that needs them. A scrape
   * (Registry.metrics) calls each gauge's collect in one synchronous pass, so the gauges collecting in
   * it find the read still in flight and share it; the memo is dropped once the read settles, so the
   * next scrape reads afresh and never sees an old list.
   */
  private activeRunsOfScrape(): Promise<RunSnapshot[]> {
    if (this.activeRead) return this.activeRead;
    const read = (this.sources?.active() ?? Promise.resolve([])).catch(() => []);
    this.activeRead = read;
    void read.finally(() => {
      if (this.activeRead === read) this.activeRead = undefined;
    });
    return read;
  }

  /** Binds what the metrics read; the engine is created after the metrics that observe it. */
  bind(sources: MetricsSources): void {
    this.sources = sources;
  }

  /** An event this process emitted (see the class comment). */
  observe(event: RunEvent, workflow: string): void {
    switch (event.type) {
      case 'run.started':
        this.m.runsStarted.inc({ workflow, dry_run: String(event.dryRun) });
        return;
      case 'run.finished':
        // A rollback asked for after the end closes the run again: it was counted when it first ended.
        if (event.rollbackBy) return;
        this.m.runsFinished.inc({ workflow, outcome: event.state });
        this.m.runDuration.observe({ workflow, outcome: event.state }, event.durationMs / 1000);
        void this.countRolledBack(event.runId, workflow);
        return;
      case 'run.lost':
        this.m.runsFinished.inc({ workflow, outcome: 'lost' });
        return;
      case 'task.state': {
        const key = `${event.runId}|${event.taskId}`;
        if (event.state === 'running') {
          if (this.taskStarts.size > 10_000) this.taskStarts.clear();
          this.taskStarts.set(key, Date.parse(event.at));
        } else if (isFinalTaskState(event.state)) {
          const started = this.taskStarts.get(key);
          this.taskStarts.delete(key);
          if (started !== undefined)
            this.m.taskDuration.observe(
              { workflow, task: event.taskId, state: event.state },
              Math.max(0, Date.parse(event.at) - started) / 1000,
            );
        }
        return;
      }
      case 'target.finished': {
        const r = event.result;
        this.m.hostStepDuration.observe(
          { workflow, stage: r.stage, outcome: r.ok ? 'ok' : 'failed' },
          r.durationMs / 1000,
        );
        if (r.changed && r.ok) this.m.hostsChanged.inc({ workflow });
        if (!r.ok) this.m.hostsFailed.inc({ workflow, kind: failureKind(r.error) });
        return;
      }
      case 'gate.waiting':
        this.m.approvalsWaiting.inc({ workflow });
        return;
      case 'gate.decided':
        this.m.approvalsWaiting.dec({ workflow });
        void this.observeWait(event, workflow);
        return;
      default:
        return;
    }
  }

  slackCall(method: string): void {
    this.m.slackCalls.inc({ method });
  }

  slackRateLimit(method: string): void {
    this.m.slackRateLimited.inc({ method });
  }

  sshConnection(outcome: 'opened' | 'failed', err?: unknown): void {
    if (outcome === 'opened') this.m.sshConnections.inc();
    else this.m.sshHandshakeFailures.inc({ reason: sshFailureReason(err) });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The wait is from the gate's own `gate.waiting` event, which another process may have emitted. */
  private async observeWait(event: Extract<RunEvent, { type: 'gate.decided' }>, workflow: string) {
    const history = await this.sources?.history(event.runId).catch(() => undefined);
    const opened = history?.findLast((e) => e.type === 'gate.waiting' && e.gateId === event.gateId);
    if (!opened) return;
    const decision = event.timedOut ? 'timed_out' : event.decision;
    this.m.approvalWait.observe(
      { workflow, decision },
      Math.max(0, Date.parse(event.at) - Date.parse(opened.at)) / 1000,
    );
  }

  private async countRolledBack(runId: string, workflow: string) {
    const run = await this.sources?.get(runId).catch(() => undefined);
    const n = run?.targets.filter((t) => t.restore === 'restored').length ?? 0;
    if (n > 0) this.m.hostsRolledBack.inc({ workflow }, n);
  }
}

/** A few stable kinds, never the raw message (unbounded label values would blow up the series). */
function failureKind(error: string | undefined): string {
  if (!error) return 'other';
  if (/unreachable|handshake|timed out connecting|ECONNREFUSED|EHOSTUNREACH/i.test(error))
    return 'unreachable';
  if (/host key/i.test(error)) return 'host_key';
  if (/timed out|timeout/i.test(error)) return 'timeout';
  if (/abort/i.test(error)) return 'aborted';
  return 'step_failed';
}

function sshFailureReason(err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (/HostKey/i.test(name) || /host key/i.test(message)) return 'host_key';
  if (/authentication|auth methods/i.test(message)) return 'auth';
  if (/handshake/i.test(message)) return 'handshake';
  return 'unreachable';
}

interface MetricSpec {
  kind: 'counter' | 'histogram' | 'gauge';
  name: string;
  labels: readonly string[];
  buckets?: readonly number[];
  help: string;
}

/** A spec's prom-client metric, typed by its labels. */
type Built<S> = S extends { kind: infer K; labels: readonly (infer L extends string)[] }
  ? K extends 'counter'
    ? Counter<L>
    : K extends 'histogram'
      ? Histogram<L>
      : Gauge<L>
  : never;

function buildMetrics<T extends Record<string, MetricSpec>>(
  registry: Registry,
  specs: T,
): { [K in keyof T]: Built<T[K]> } {
  const out: Record<string, Counter | Histogram | Gauge> = {};
  for (const [key, { kind, name, labels, buckets, help }] of Object.entries(specs)) {
    const common = { name, help, labelNames: [...labels], registers: [registry] };
    out[key] =
      kind === 'counter'
        ? new Counter(common)
        : kind === 'histogram'
          ? new Histogram({ ...common, ...(buckets ? { buckets: [...buckets] } : {}) })
          : new Gauge(common);
  }
  return out as { [K in keyof T]: Built<T[K]> };
}
