import { RolloutParams } from '../../src/engine/rollout/rollout-params.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import { codeSpan } from './code-span.js';
import { CommandInputError } from './command-input-error.js';
import {
  ApprovalTimeout,
  Batches,
  Canary,
  Concurrency,
  Delay,
  DomainVar,
  MaxFail,
  MaxPer,
  parseValue,
  type ValueKind,
} from './values.js';

/**
 * The flags every staged rollout takes, one syntax for every workflow:
 * `--canary 1 --batches 10%,50%,100% --delay 2m --max-fail 5% --concurrency 10 --max-per rack=1 --by az
 * --dry-run`. They become the engine's shared `RolloutParams` (src/engine/rollout/rollout-params.ts);
 * unset flags are left to the schema's (or the workflow's) defaults.
 */
export const ROLLOUT_FLAGS: FlagSpec = {
  canary: 'value',
  batches: 'value',
  delay: 'value',
  'dry-run': 'boolean',
  concurrency: 'value',
  'max-fail': 'value',
  'max-per': 'value',
  by: 'value',
  'approval-timeout': 'value',
};
export const ROLLOUT_USAGE =
  '[--canary N|N%] [--batches 1,10%,50%,100%] [--delay 30s] [--concurrency N] [--max-fail N%] ' +
  '[--max-per VAR=N] [--by VAR] [--approval-timeout 30m] [--dry-run]';

/** Rollout params as the flags give them: fields of `RolloutParams`, each optional, already parsed. */
export type RolloutOverrides = Partial<RolloutParams>;

/** Each flag, the param it sets, and how its word is read. */
const FLAG_FIELDS: readonly {
  flag: string;
  field: keyof RolloutOverrides;
  kind: ValueKind<RolloutOverrides[keyof RolloutOverrides]>;
}[] = [
  { flag: 'canary', field: 'canary', kind: Canary },
  { flag: 'batches', field: 'batches', kind: Batches },
  { flag: 'delay', field: 'soakMs', kind: Delay },
  { flag: 'concurrency', field: 'concurrency', kind: Concurrency },
  { flag: 'max-fail', field: 'maxFailPercent', kind: MaxFail },
  { flag: 'max-per', field: 'maxPer', kind: MaxPer },
  { flag: 'by', field: 'by', kind: DomainVar },
  { flag: 'approval-timeout', field: 'approvalTimeoutMs', kind: ApprovalTimeout },
];

/**
 * Reads the rollout flags into the shared params. Each word is checked by its flag's reader, then the
 * whole against `RolloutParams` (its limits are the engine's), and a refusal names the flag.
 */
export function parseRolloutFlags(flags: ParsedArgs['flags']): {
  rollout: RolloutOverrides;
  dryRun: boolean;
} {
  const rollout: Record<string, unknown> = {};
  for (const { flag, field, kind } of FLAG_FIELDS) {
    const word = flags.get(flag);
    if (typeof word === 'string') rollout[field] = parseValue(kind, word, `--${flag}`);
  }
  const checked = RolloutParams.partial().safeParse(rollout);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const entry = FLAG_FIELDS.find((f) => f.field === issue?.path[0]);
    const word = entry ? flags.get(entry.flag) : undefined;
    throw new CommandInputError(
      entry ? `--${entry.flag}` : 'rollout flags',
      `${typeof word === 'string' ? `${codeSpan(word, 60)} ` : ''}${issue?.message ?? 'is not valid'}`,
      entry?.kind.allowed ?? ROLLOUT_USAGE,
    );
  }
  // The words as read (not the schema's output): unset flags must stay unset, for the workflow's defaults.
  return { rollout, dryRun: flags.get('dry-run') === true };
}
