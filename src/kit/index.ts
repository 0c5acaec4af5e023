/** The workflow kit: what a workflow module imports to declare itself. */
export {
  defineWorkflowModule,
  isWorkflowModule,
  WORKFLOW_MODULE,
  type AnyWorkflowModule,
  type DefaultAccess,
  type FailureAlert,
  type PhaseInput,
  type Principals,
  type SlashCommandClaim,
  type WorkflowBody,
  type WorkflowModule,
  type WorkflowModuleSpec,
} from './workflow-module.js';
export type {
  CommandSyntax,
  CustomSyntax,
  DeclarativeSyntax,
  FlagSyntax,
  LiteralSyntax,
  ParsedWorkflowCommand,
  PositionalSyntax,
} from './command-syntax.js';
export type { MarshalDeps, RunReader, WorkflowDirs } from './deps.js';
export type { RunOutcome } from './run-outcome.js';
export type { WorkflowRecords } from './workflow-records.js';
