import type { BatchSize } from '../../src/engine/model/workflow.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import { Batches, Canary, Concurrency, Delay, MaxFail, parseValue } from './values.js';

/** The flags every staged rollout command takes. Unset flags are left to the workflow's defaults. */
export const ROLLOUT_FLAGS: FlagSpec = {
  canary: 'value',
  batches: 'value',
  delay: 'value',
  'dry-run': 'boolean',
  concurrency: 'value',
  'max-fail': 'value',
};
export const ROLLOUT_USAGE =
  '[--canary N|N%] [--batches 1,10%,50%,100%] [--delay 30s] [--concurrency N] [--max-fail N%] [--dry-run]';

/**
 * Rollout overrides as workflow params (the contract of `ConfigPushParams` and the rollout workflows
 * after it): sizes and `soakMs` as in the engine's `RolloutStrategy`; `maxFailPercent` is the one limit
 * a workflow applies per batch and in total.
 */
export interface RolloutOverrides {
  canary?: BatchSize;
  batches?: BatchSize[];
  soakMs?: number;
  concurrency?: number;
  maxFailPercent?: number;
}

export function parseRolloutFlags(flags: ParsedArgs['flags']): {
  rollout: RolloutOverrides;
  dryRun: boolean;
} {
  const rollout: RolloutOverrides = {};
  const canary = flags.get('canary');
  const batches = flags.get('batches');
  const delay = flags.get('delay');
  if (typeof canary === 'string') rollout.canary = parseValue(Canary, canary, '--canary');
  if (typeof batches === 'string') rollout.batches = parseValue(Batches, batches, '--batches');
  if (typeof delay === 'string') rollout.soakMs = parseValue(Delay, delay, '--delay');
  const concurrency = flags.get('concurrency');
  const maxFail = flags.get('max-fail');
  if (typeof concurrency === 'string')
    rollout.concurrency = parseValue(Concurrency, concurrency, '--concurrency');
  if (typeof maxFail === 'string') rollout.maxFailPercent = parseValue(MaxFail, maxFail, '--max-fail');
  return { rollout, dryRun: flags.get('dry-run') === true };
}
