import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineWorkflow } from '../../src/engine/dag/compile-workflow.js';
import { ValidationError } from '../../src/errors/index.js';
import type { HostStep, Json } from '../../src/engine/model/workflow.js';

/**
 * Small workflows for the engine's integration tests. Host steps have a real, countable side effect:
 * each applied target appends a line to `<dir>/<target>`, `check` reads it back, rollback appends to
 * `<dir>/rollback.log` (so order and count are on disk, across processes).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const RolloutParams = z.object({
  dir: z.string(),
  targets: z.array(z.string()),
  failOn: z.array(z.string()).default([]),
  /** A failing step records a checkpoint first (as a step that may have changed its host does): restore unknown. */
  checkpointOnFail: z.boolean().default(false),
  /** Targets whose step kills its own worker process (a step that crashes the worker, every time). */
  crashOn: z.array(z.string()).default([]),
  stepDelayMs: z.number().default(0),
  /** How long each restore takes (its start and end go to `<dir>/rollback-flight.log`). */
  rollbackDelayMs: z.number().default(0),
  canary: z.number().default(1),
  batches: z.array(z.number()).default([2]),
  concurrency: z.number().default(2),
  soakMs: z.number().default(0),
  maxFailPercentPerBatch: z.number().default(100),
  maxFailPercentTotal: z.number().default(100),
  lock: z.string().optional(),
  maxPer: z.object({ var: z.string(), n: z.number() }).optional(),
  by: z.string().optional(),
});
type RolloutParams = z.infer<typeof RolloutParams>;

export function appliedLines(dir: string, target: string): number {
  const file = join(dir, target);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

export function rollbackLog(dir: string): string[] {
  const file = join(dir, 'rollback.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

const fileStep: HostStep<RolloutParams> = {
  name: 'append-line',
  async apply(ctx) {
    const p = ctx.params;
    // `+<domain> <target>` when the step starts, `-<domain> <target>` when it ends: what was in flight at once.
    const domain = p.maxPer ? String(ctx.host.vars[p.maxPer.var]) : undefined;
    if (domain !== undefined) appendFileSync(join(p.dir, 'flight.log'), `+${domain} ${ctx.target}\n`);
    if (p.stepDelayMs) await sleep(p.stepDelayMs / 2);
    if (p.failOn.includes(ctx.target)) {
      if (p.checkpointOnFail) await ctx.checkpoint({ halfway: true });
      throw new Error(`step failed on ${ctx.target}`);
    }
    if (p.crashOn.includes(ctx.target)) process.kill(process.pid, 'SIGKILL');
    appendFileSync(join(p.dir, ctx.target), `${ctx.runId} ${process.pid}\n`);
    if (p.stepDelayMs) await sleep(p.stepDelayMs / 2);
    if (domain !== undefined) appendFileSync(join(p.dir, 'flight.log'), `-${domain} ${ctx.target}\n`);
    return { changed: true, summary: 'line appended', data: { pid: process.pid } };
  },
  async check(ctx) {
    return appliedLines(ctx.params.dir, ctx.target) > 0 ? 'applied' : 'not_applied';
  },
  async plan(ctx) {
    return `would append a line to ${ctx.target}`;
  },
  async rollback(ctx) {
    appendFileSync(join(ctx.params.dir, 'rollback.log'), `${ctx.target}\n`);
    if (!ctx.params.rollbackDelayMs) return;
    appendFileSync(join(ctx.params.dir, 'rollback-flight.log'), `+${ctx.target}\n`);
    await sleep(ctx.params.rollbackDelayMs);
    appendFileSync(join(ctx.params.dir, 'rollback-flight.log'), `-${ctx.target}\n`);
  },
};

function rolloutWorkflow(name: string, approvalTimeoutMs?: number, rollbackConcurrency?: number) {
  return defineWorkflow({
    name,
    summary: `test rollout ${name}`,
    params: RolloutParams,
    locks: (p) => (p.lock ? [p.lock] : []),
    tasks(wf) {
      const validate = wf.task('validate', async (ctx) => ({
        dryRun: ctx.dryRun,
        targets: ctx.params.targets.length,
      }));
      const execution = wf.rollout('execution', {
        after: validate,
        targets: (ctx) => ctx.params.targets,
        strategy: (ctx) => ({
          canary: ctx.params.canary,
          batches: ctx.params.batches,
          concurrency: ctx.params.concurrency,
          soakMs: ctx.params.soakMs,
          maxFailPercentPerBatch: ctx.params.maxFailPercentPerBatch,
          maxFailPercentTotal: ctx.params.maxFailPercentTotal,
          ...(ctx.params.maxPer ? { maxPer: ctx.params.maxPer } : {}),
          ...(ctx.params.by ? { by: ctx.params.by } : {}),
        }),
        ...(approvalTimeoutMs
          ? {
              approval: {
                timeoutMs: approvalTimeoutMs,
                evidence: async (ctx) => ({ changed: [...ctx.changedTargets('execution')] }),
              },
            }
          : {}),
        step: fileStep,
      });
      const audit = wf.task('audit', async (ctx) => ({ changed: [...ctx.changedTargets('execution')] }), {
        after: execution,
      });
      const rollback = wf.rollback('rollback', {
        of: execution,
        after: execution,
        ...(rollbackConcurrency ? { concurrency: rollbackConcurrency } : {}),
      });
      wf.task(
        'cleanup',
        async (ctx) => {
          appendFileSync(join(ctx.params.dir, 'cleanup.log'), `${ctx.runId}\n`);
        },
        { after: [audit, rollback], trigger: 'all_done' },
      );
    },
  });
}

export const deploy = rolloutWorkflow('deploy');
export const deployGated = rolloutWorkflow('deploy-gated', 60_000);
export const deployQuickGate = rolloutWorkflow('deploy-quick-gate', 300);
export const deployParallelRollback = rolloutWorkflow('deploy-parallel-rollback', undefined, 3);

const DiamondParams = z.object({ failB: z.boolean().default(false), skipC: z.boolean().default(false) });
export const diamond = defineWorkflow({
  name: 'diamond',
  summary: 'a → (b, c) → d, with cleanup and a failure handler',
  params: DiamondParams,
  tasks(wf) {
    const a = wf.task('a', async () => 'a');
    const b = wf.task(
      'b',
      async (ctx) => {
        if (ctx.params.failB) throw new Error('b broke');
        return `b saw ${ctx.output(a)}`;
      },
      { after: a },
    );
    const c = wf.task('c', async () => 'c', { after: a });
    const d = wf.task('d', async (ctx) => [ctx.output(b) ?? null, ctx.output(c) ?? null] as Json, {
      after: [b, c],
    });
    const e = wf.task('e', async () => 'e', { after: d });
    wf.task('on-failure', async () => 'handled', { after: [b, c], trigger: 'one_failed' });
    wf.task('cleanup', async () => 'clean', { after: e, trigger: 'all_done' });
  },
});

/** Attempts per run, in this process (the retry tests run workers in-process). */
export const attempts = new Map<string, number>();
export const retrying = defineWorkflow({
  name: 'retrying',
  summary: 'a flaky task that succeeds on its third attempt; a fatal one never retried',
  params: z.object({ fatal: z.boolean().default(false) }),
  tasks(wf) {
    wf.task(
      'flaky',
      async (ctx) => {
        const key = `${ctx.runId}:${ctx.taskId}`;
        attempts.set(key, (attempts.get(key) ?? 0) + 1);
        if (ctx.params.fatal) throw new ValidationError('input', [{ path: 'x', message: 'bad' }]);
        if (ctx.attempt < 3) throw new Error(`transient failure ${ctx.attempt}`);
        return ctx.attempt;
      },
      { retry: { retries: 4, initialDelayMs: 20, maxDelayMs: 100 } },
    );
  },
});

export const slow = defineWorkflow({
  name: 'slow',
  summary: 'a task that ignores its abort signal and outlives its timeout',
  params: z.object({}),
  tasks(wf) {
    const stuck = wf.task('stuck', () => new Promise<void>((r) => setTimeout(r, 5_000)), { timeoutMs: 200 });
    wf.task('cleanup', async () => 'ran', { after: stuck, trigger: 'all_done' });
  },
});

export const chain = defineWorkflow({
  name: 'chain',
  summary: 'n no-op tasks in a row (benchmark of the hop from one task to the next)',
  params: z.object({}),
  tasks(wf) {
    let prev = wf.task('t0', async () => Date.now());
    for (let i = 1; i < 100; i++) prev = wf.task(`t${i}`, async () => Date.now(), { after: prev });
  },
});

/**
 * Gates anywhere in the DAG: prepare → approval `go` → choice `next` (fail back / stay on DR) → `act`,
 * which writes what it read through the handles to `<dir>/act.json`; `on-closed` runs when a gate fails.
 */
const DrillParams = z.object({ dir: z.string() });
function drillWorkflow(
  name: string,
  gates: { approvalMs: number; choiceMs: number; fallback?: 'stay'; quorum?: number },
) {
  return defineWorkflow({
    name,
    summary: 'a drill with an approval gate and a choice gate between its tasks',
    params: DrillParams,
    tasks(wf) {
      const prepare = wf.task('prepare', async () => ({ region: 'dr-1' }));
      const go = wf.approval('go', {
        after: prepare,
        timeoutMs: gates.approvalMs,
        ...(gates.quorum ? { quorum: gates.quorum } : {}),
        prompt: 'Fail over to the DR region?',
        evidence: async (ctx) => ({ region: ctx.output(prepare)?.region ?? null }),
      });
      const next = wf.choice('next', {
        after: go,
        prompt: 'The drill is on DR. What now?',
        options: [
          { id: 'failback', label: 'Fail back now' },
          { id: 'stay', label: 'Stay on DR' },
        ],
        timeoutMs: gates.choiceMs,
        ...(gates.fallback ? { default: gates.fallback } : {}),
      });
      const act = wf.task(
        'act',
        async (ctx) => {
          // Typed through the handles: `choice` is 'failback' | 'stay', `approval.by` a string.
          const choice: 'failback' | 'stay' | undefined = ctx.output(next);
          const approval = ctx.output(go);
          const seen = { choice: choice ?? null, approvedBy: approval?.by ?? null };
          appendFileSync(join(ctx.params.dir, 'act.json'), `${JSON.stringify(seen)}\n`);
          return seen;
        },
        { after: next },
      );
      wf.task(
        'on-closed',
        async (ctx) => {
          appendFileSync(join(ctx.params.dir, 'closed.log'), `${ctx.runId}\n`);
        },
        { after: [go, next], trigger: 'one_failed' },
      );
      wf.task('cleanup', async () => 'clean', { after: act, trigger: 'all_done' });
    },
  });
}
export const drill = drillWorkflow('drill', { approvalMs: 60_000, choiceMs: 60_000 });
export const drillQuickChoice = drillWorkflow('drill-quick-choice', {
  approvalMs: 60_000,
  choiceMs: 300,
  fallback: 'stay',
});
export const drillQuorum = drillWorkflow('drill-quorum', { approvalMs: 60_000, choiceMs: 60_000, quorum: 2 });
export const drillQuickClosed = drillWorkflow('drill-quick-closed', { approvalMs: 300, choiceMs: 300 });

export const allTestWorkflows = [
  deploy,
  deployGated,
  deployQuickGate,
  deployParallelRollback,
  diamond,
  retrying,
  slow,
  chain,
  drill,
  drillQuickChoice,
  drillQuickClosed,
  drillQuorum,
];
