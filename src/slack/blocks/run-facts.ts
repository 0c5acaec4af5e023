import type { Freeze } from '../../control/change-freeze.js';
import {
  hostCountsOf,
  type GateSnapshot,
  type RunSnapshot,
  type StageProgress,
} from '../../engine/model/run.js';

/** What the renderers show, derived once from a snapshot. Pure; `now` is passed in. */
export interface RunFacts {
  elapsedMs: number;
  /** Undefined when there is nothing to base an estimate on. */
  remainingMs: number | undefined;
  done: number;
  failed: number;
  changed: number;
  /** All targets of the run when known (context or last batch), else undefined. */
  total: number | undefined;
  phase: string;
  stage: StageProgress | undefined;
  waitingGate: GateSnapshot | undefined;
  failedTargets: string[];
}

export interface RenderContext {
  now: Date;
  /** All targets of the run when the caller knows them (the notifier learns it from stage progress). */
  totalTargets?: number;
  /** Where the durable audit record is, e.g. `audit:run-123` or a URL; defaults to the run id. */
  auditRef?: string;
  /** The change freeze in force now, if any: every card shows it (reason, end, who set it). */
  freeze?: Freeze;
}

const ACTIVE_TASK_STATES = new Set(['running', 'waiting', 'held', 'queued', 'up_for_retry']);

export function runFacts(run: RunSnapshot, ctx: RenderContext): RunFacts {
  const end = run.finishedAt ? Date.parse(run.finishedAt) : ctx.now.getTime();
  const elapsedMs = Math.max(0, end - Date.parse(run.createdAt));
  // Counts from the engine's counters: a summary snapshot names only the notable hosts (failed ones among them).
  const counts = hostCountsOf(run);
  const failedTargets = run.targets.filter((t) => !t.ok).map((t) => t.target);
  const done = counts.ok;
  const failed = counts.failed;
  const stage = run.progress.at(-1);
  const total = ctx.totalTargets ?? lastBatchTotal(run);
  const finished = done + failed;
  const remainingMs =
    run.finishedAt === undefined && total !== undefined && finished > 0 && total > finished
      ? Math.round((elapsedMs / finished) * (total - finished))
      : undefined;
  const active = run.tasks.filter((t) => ACTIVE_TASK_STATES.has(t.state));
  const phase = run.finishedAt ? 'finished' : (active.map((t) => t.taskId).at(-1) ?? 'starting');
  return {
    elapsedMs,
    remainingMs,
    done,
    failed,
    changed: counts.changed,
    total,
    phase,
    stage,
    waitingGate: run.gates.find((g) => g.state === 'waiting'),
    failedTargets,
  };
}

/** In the last batch every target is accounted for: those finished before it plus the batch itself. */
function lastBatchTotal(run: RunSnapshot): number | undefined {
  const stage = run.progress.at(-1);
  if (!stage || stage.stage !== 'batch' || stage.batchIndex !== stage.batchCount) return undefined;
  const before = hostCountsOf(run).reached - (stage.done + stage.failed);
  return Math.max(0, before) + stage.total;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-GB');
}

export function stageLabel(stage: StageProgress): string {
  return stage.stage === 'canary' ? 'canary' : `batch ${stage.batchIndex}/${stage.batchCount}`;
}

export const STATE_EMOJI: Readonly<Record<RunSnapshot['state'], string>> = {
  running: ':hourglass_flowing_sand:',
  held: ':double_vertical_bar:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  aborted: ':octagonal_sign:',
};
