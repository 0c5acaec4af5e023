import type { z } from 'zod';
import { defineWorkflow } from '../engine/dag/compile-workflow.js';
import type { WorkflowDefinition } from '../engine/dag/workflow-definition.js';
import type { Json, TaskContext, TaskRef, WorkflowBuilder } from '../engine/model/workflow.js';
import type { MarshalDeps } from './deps.js';
import { readRunOutcome, type RunOutcome } from './run-outcome.js';
import type { AnyWorkflowModule, FailureAlert, PhaseInput, WorkflowBody } from './workflow-module.js';

/** The ids of the phases the kit adds after a workflow's own tasks; a workflow cannot use them. */
export const KIT_PHASES = ['audit', 'notify', 'cleanup'] as const;

const PHASE_TIMEOUT_MS = 15 * 60_000;
const MAX_LISTED = 5;

/**
 * Builds the workflow a module declares, on Marshal's standard deps: the module's own tasks, then the
 * template's generic phases, each run whatever happened before it (`all_done`):
 *   audit    one record: who asked, who approved, each target's result, restore failures, timestamps
 *   notify   on failure, the module's owners and the requester are alerted
 *   cleanup  the module's cleanup hook, then the run's metrics (logged and kept as the task's output)
 */
export function compileWorkflowModule<P>(
  module: AnyWorkflowModule,
  deps: MarshalDeps,
): WorkflowDefinition<P> {
  const body = module.workflow(deps) as WorkflowBody<P>;
  let rollbacks: string[] = [];
  const outcomeOf = async (ctx: TaskContext<P>): Promise<PhaseInput<P>> => ({
    ctx,
    outcome: readRunOutcome(await deps.runs.get(ctx.runId), rollbacks),
  });
  const now = (): string => deps.clock().toISOString();

  const params = module.params as z.ZodType<P>;
  const definition = defineWorkflow({
    name: module.name,
    summary: module.summary,
    params,
    ...(body.locks ? { locks: (params: P) => body.locks!(params) } : {}),
    ...(body.admit ? { admit: (params: P) => body.admit!(params) } : {}),
    tasks(wf: WorkflowBuilder<P>) {
      const own = topLevelRefs(wf, (recording) => body.tasks(recording));
      const audit = wf.task(
        'audit',
        async (ctx) => {
          const input = await outcomeOf(ctx);
          const details = (await body.auditDetails?.(input)) ?? undefined;
          await deps.audit.append({
            runId: ctx.runId,
            at: now(),
            kind: `${body.auditKind ?? module.name}.${ctx.dryRun ? 'dry_run' : 'finished'}`,
            actor: ctx.requester,
            data: { ...auditRecord(input.outcome, now()), ...asObject(details) },
          });
        },
        { after: own, trigger: 'all_done', timeoutMs: PHASE_TIMEOUT_MS },
      );
      const notify = wf.task(
        'notify',
        async (ctx) => {
          const input = await outcomeOf(ctx);
          if (input.outcome.succeeded) return { alerted: false };
          const standard = defaultAlert(module, ctx, input.outcome);
          const alert = body.notify ? await body.notify(input, standard) : standard;
          if (!alert) return { alerted: false };
          await deps.notifier.alert({ runId: ctx.runId, ...alert });
          return { alerted: true };
        },
        { after: audit, trigger: 'all_done', timeoutMs: PHASE_TIMEOUT_MS },
      );
      wf.task(
        'cleanup',
        async (ctx) => {
          const input = await outcomeOf(ctx);
          const cleaned = (await body.cleanup?.(input)) ?? undefined;
          const metrics = runMetrics(input.outcome);
          ctx.log.info({ ...metrics, succeeded: input.outcome.succeeded }, `${module.name} finished`);
          return { ...metrics, ...asObject(cleaned) };
        },
        { after: notify, trigger: 'all_done', timeoutMs: PHASE_TIMEOUT_MS },
      );
    },
  });
  rollbacks = [...definition.tasks.values()].filter((t) => t.kind === 'rollback').map((t) => t.id);
  return definition;
}

/**
 * Runs `declare` with a builder that notes every ref handed out at the top level (tasks, groups,
 * rollouts, rollbacks, gates: whatever the builder offers), so the kit's phases can run after all of them.
 */
function topLevelRefs<P>(wf: WorkflowBuilder<P>, declare: (wf: WorkflowBuilder<P>) => void): TaskRef[] {
  const refs: TaskRef[] = [];
  const recording = new Proxy(wf, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (typeof result === 'object' && result !== null && 'id' in result) refs.push(result as TaskRef);
        return result;
      };
    },
  });
  declare(recording);
  return refs;
}

function auditRecord(outcome: RunOutcome, finishedAt: string): Record<string, Json> {
  return {
    requester: outcome.requester,
    approvedBy: outcome.approvedBy ?? null,
    approvals: outcome.approvals.map((a) => ({
      gate: a.gate,
      decision: a.decision,
      by: a.by ?? null,
      at: a.at ?? null,
    })),
    succeeded: outcome.succeeded,
    rolledBack: outcome.rolledBack,
    failedTasks: [...outcome.failedTasks],
    causes: outcome.causes.map((c) => ({ ...c })),
    hosts: outcome.targets.map((t) => ({
      host: t.target,
      ok: t.ok,
      changed: t.changed,
      stage: t.stage,
      batch: t.batchIndex,
      summary: t.summary ?? null,
      error: t.error ?? null,
      // The truth about hosts that had to be put back: restored, or not (with why).
      restored: outcome.restored.includes(t.target)
        ? true
        : outcome.restoreFailed.some((r) => r.target === t.target)
          ? false
          : null,
    })),
    restoredHosts: [...outcome.restored],
    notRestored: outcome.restoreFailed.map((r) => ({ ...r })),
    rollbackErrors: outcome.rollbackErrors.map((r) => ({ ...r })),
    requestedAt: outcome.requestedAt,
    finishedAt,
  };
}

function defaultAlert<P>(module: AnyWorkflowModule, ctx: TaskContext<P>, outcome: RunOutcome): FailureAlert {
  const failed = outcome.targets.filter((t) => !t.ok);
  const lines = [
    `${module.name} failed (run ${ctx.runId}${ctx.dryRun ? ', dry run' : ''}).`,
    ...outcome.causes.slice(0, 3).map((c) => `${c.taskId} failed: ${c.error}`),
    ...failed.slice(0, MAX_LISTED).map((t) => `• ${t.target}: ${t.error ?? 'failed'}`),
    failed.length > MAX_LISTED ? `• and ${failed.length - MAX_LISTED} more` : '',
    outcome.restored.length > 0 ? `Restored as they were: ${outcome.restored.length} target(s).` : '',
    ...(outcome.restoreFailed.length > 0
      ? [
          `NOT restored — check these by hand (${outcome.restoreFailed.length}):`,
          ...outcome.restoreFailed.slice(0, 10).map((r) => `• ${r.target}: ${r.error}`),
        ]
      : []),
  ].filter(Boolean);
  const owners = ctx.dryRun ? [] : (module.owners ?? []);
  return {
    to: [...new Set([...owners, ctx.requester])],
    title: `${module.name} failed`,
    text: lines.join('\n'),
  };
}

function runMetrics(outcome: RunOutcome): Record<string, Json> {
  return {
    hosts: outcome.touched.length,
    changed: outcome.changed.length,
    failed: outcome.failed.length,
    restored: outcome.restored.length,
    restoreFailed: outcome.restoreFailed.length,
  };
}

function asObject(value: Json | void | undefined): Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}
