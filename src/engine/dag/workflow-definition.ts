// TEMP stand-in until engine-core lands.
import type { z } from 'zod';
import type { ApprovalGateSpec, RetryPolicy, RolloutSpec, TaskFn } from '../model/workflow.js';
import type { TriggerRule } from '../model/trigger-rule.js';

interface Base {
  id: string;
  upstream: string[];
  trigger: TriggerRule;
  retry: RetryPolicy | undefined;
  timeoutMs: number | undefined;
  group: string | undefined;
}
export type CompiledTask<P> =
  | (Base & { kind: 'task'; fn: TaskFn<P> })
  | (Base & { kind: 'stage'; stage: 'canary' | 'batches'; rolloutId: string; rollout: RolloutSpec<P> })
  | (Base & { kind: 'gate'; rolloutId: string; approval: ApprovalGateSpec<P> })
  | (Base & { kind: 'rollback'; of: string });

export interface WorkflowDefinition<P> {
  name: string;
  summary: string;
  params: z.ZodType<P>;
  locks?: (params: P) => string[];
  tasks: ReadonlyMap<string, CompiledTask<P>>;
  order: string[];
}
