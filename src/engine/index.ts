// TEMP stand-in (branch bundle) until engine-core's src/engine/index.ts lands: on merge, take engine-core's
// file. Only `defineWorkflow` is used here, with the signature of engine-core's builder.
import type { z } from 'zod';
import type { WorkflowSpec } from './model/workflow.js';

export function defineWorkflow<S extends z.ZodType>(spec: WorkflowSpec<S>): WorkflowSpec<S> {
  return spec;
}
