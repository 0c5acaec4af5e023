import type { RunEvent } from '../../../src/engine/model/events.js';
import type { RunSnapshot, StageProgress, TargetResult } from '../../../src/engine/model/run.js';
import { seededRandom } from '../random.js';

/**
 * A run's snapshot as the engine would report it, folded from the events it published. The progress
 * notifier's tests use it as `getRun`: it stands for Engine.get, which is built from the same events.
 */
export class RunModel {
  private snapshots = new Map<string, RunSnapshot>();

  apply(event: RunEvent): void {
    if (event.type === 'run.started') {
      this.snapshots.set(event.runId, {
        runId: event.runId,
        workflow: event.workflow,
        requester: event.requester,
        dryRun: event.dryRun,
        state: 'running',
        abortRequested: false,
        holdRequested: false,
        createdAt: event.at,
        params: {},
        meta: event.meta,
        tasks: [],
        gates: [],
        progress: [],
        targets: [],
      });
      return;
    }
    const run = this.snapshots.get(event.runId);
    if (!run) throw new Error(`event for unknown run ${event.runId}`);
    switch (event.type) {
      case 'task.state': {
        const task = run.tasks.find((t) => t.taskId === event.taskId);
        if (task) Object.assign(task, { state: event.state, attempt: event.attempt });
        else run.tasks.push({ taskId: event.taskId, state: event.state, attempt: event.attempt });
        break;
      }
      case 'stage.progress': {
        const i = run.progress.findIndex((p) => p.rolloutId === event.progress.rolloutId);
        if (i >= 0) run.progress[i] = event.progress;
        else run.progress.push(event.progress);
        break;
      }
      case 'target.finished': {
        const i = run.targets.findIndex((t) => t.target === event.result.target);
        if (i >= 0) run.targets[i] = event.result;
        else run.targets.push(event.result);
        break;
      }
      case 'gate.waiting':
        run.gates.push({
          gateId: event.gateId,
          state: 'waiting',
          evidence: event.evidence,
          expiresAt: event.expiresAt,
        });
        break;
      case 'gate.decided': {
        const gate = run.gates.find((g) => g.gateId === event.gateId)!;
        gate.state = event.timedOut ? 'timed_out' : event.decision === 'approve' ? 'approved' : 'rejected';
        gate.decidedBy = event.by;
        gate.decidedAt = event.at;
        if (event.reason) gate.reason = event.reason;
        break;
      }
      case 'run.control':
        if (event.action === 'hold') run.holdRequested = true;
        if (event.action === 'resume') run.holdRequested = false;
        if (event.action === 'abort') run.abortRequested = true;
        run.state = event.action === 'hold' ? 'held' : run.state === 'held' ? 'running' : run.state;
        break;
      case 'run.finished':
        run.state = event.state;
        run.finishedAt = event.at;
        break;
    }
  }

  get(runId: string): RunSnapshot {
    const run = this.snapshots.get(runId);
    if (!run) throw new Error(`unknown run ${runId}`);
    return structuredClone(run);
  }
}

export interface RolloutScript {
  runId: string;
  hosts: number;
  canary: number;
  batches: number;
  /** Chance that a host fails. */
  failRate?: number;
  seed?: number;
  channel?: string;
  /** Progress events per stage (the engine reports as targets finish); default one per target. */
  progressEvery?: number;
  hostName?: (i: number) => string;
  errorText?: (host: string, random: () => number) => string;
  dryRun?: boolean;
  approver?: string;
  /** Stop after the approval gate starts waiting (no decision, no batches). */
  stopAtGate?: boolean;
}

/**
 * A realistic event sequence of one rollout: validation and pre-checks, the canary with per-host
 * results and progress, an approval gate, batches, audit, and the end. Times advance a second per event.
 */
export function rolloutEvents(script: RolloutScript): RunEvent[] {
  const random = seededRandom(script.seed ?? 1);
  const name = script.hostName ?? ((i: number) => `web-${String(i + 1).padStart(4, '0')}`);
  const hosts = Array.from({ length: script.hosts }, (_, i) => name(i));
  let clock = Date.parse('2025-03-01T10:00:00Z');
  const at = () => new Date((clock += 1000)).toISOString();
  const runId = script.runId;
  const events: RunEvent[] = [];
  const task = (taskId: string, state: 'running' | 'success' | 'waiting') =>
    events.push({ type: 'task.state', runId, at: at(), taskId, state, attempt: 1 });

  events.push({
    type: 'run.started',
    runId,
    at: at(),
    workflow: 'config-push',
    requester: 'U0REQUESTER',
    dryRun: script.dryRun ?? false,
    meta: { channel: script.channel ?? 'C0MARSHAL' },
  });
  for (const t of ['validate', 'precheck']) {
    task(t, 'running');
    task(t, 'success');
  }
  const canary = hosts.slice(0, script.canary);
  const rest = hosts.slice(script.canary);
  const batchSize = Math.ceil(rest.length / script.batches);
  const stages: { stage: 'canary' | 'batch'; index: number; targets: string[] }[] = [
    { stage: 'canary', index: 0, targets: canary },
    ...Array.from({ length: script.batches }, (_, b) => ({
      stage: 'batch' as const,
      index: b + 1,
      targets: rest.slice(b * batchSize, (b + 1) * batchSize),
    })),
  ];
  for (const s of stages) {
    if (s.stage === 'canary') task('execution.canary', 'running');
    if (s.stage === 'batch' && s.index === 1) task('execution.batches', 'running');
    let done = 0;
    let failed = 0;
    const progress = (): StageProgress => ({
      rolloutId: 'execution',
      stage: s.stage,
      batchIndex: s.index,
      batchCount: script.batches,
      total: s.targets.length,
      done,
      failed,
      inFlight: Math.min(10, s.targets.length - done - failed),
    });
    events.push({ type: 'stage.progress', runId, at: at(), progress: progress() });
    s.targets.forEach((target, i) => {
      const ok = random() >= (script.failRate ?? 0);
      const result: TargetResult = {
        target,
        ok,
        changed: ok && random() < 0.9,
        durationMs: Math.round(500 + random() * 4000),
        stage: s.stage,
        batchIndex: s.index,
        ...(ok
          ? { summary: 'nginx.conf updated, reloaded' }
          : {
              error:
                script.errorText?.(target, random) ??
                `nginx -t failed on ${target}\nemerg: unknown directive "gzipp" in /etc/nginx/nginx.conf:12`,
            }),
      };
      if (ok) done++;
      else failed++;
      events.push({ type: 'target.finished', runId, at: at(), rolloutId: 'execution', result });
      const every = script.progressEvery ?? 1;
      if ((i + 1) % every === 0 || i === s.targets.length - 1)
        events.push({ type: 'stage.progress', runId, at: at(), progress: progress() });
    });
    if (s.stage === 'canary') {
      task('execution.canary', 'success');
      task('execution.approval', 'waiting');
      events.push({
        type: 'gate.waiting',
        runId,
        at: at(),
        gateId: 'execution.approval',
        evidence: {
          summary: `Canary on ${canary.length} hosts`,
          checks: [{ name: 'nginx -t', ok: true }],
          diff: '-gzip on;\n+gzip off;',
        },
        expiresAt: new Date(clock + 3_600_000).toISOString(),
        requester: 'U0REQUESTER',
      });
      if (script.stopAtGate) return events;
      events.push({
        type: 'gate.decided',
        runId,
        at: at(),
        gateId: 'execution.approval',
        decision: 'approve',
        by: script.approver ?? 'U0APPROVER',
        timedOut: false,
      });
      task('execution.approval', 'success');
    }
  }
  task('execution.batches', 'success');
  for (const t of ['audit', 'notify', 'cleanup']) {
    task(t, 'running');
    task(t, 'success');
  }
  events.push({
    type: 'run.finished',
    runId,
    at: at(),
    state: 'succeeded',
    durationMs: clock - Date.parse('2025-03-01T10:00:01Z'),
  });
  return events;
}
