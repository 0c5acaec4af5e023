import type { BatchSize } from '../../src/engine/model/workflow.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import { Batches, Canary, Delay, parseValue } from './values.js';

/** The flags every staged rollout command takes. Unset flags are left to the workflow's defaults. */
export const ROLLOUT_FLAGS: FlagSpec = {
  canary: 'value',
  batches: 'value',
  delay: 'value',
  'dry-run': 'boolean',
};
export const ROLLOUT_USAGE = '[--canary N|N%] [--batches 1,10%,50%,100%] [--delay 30s] [--dry-run]';

/** Rollout overrides as workflow params: names follow the engine's `RolloutStrategy`. */
export interface RolloutOverrides {
  canary?: BatchSize;
  batches?: BatchSize[];
  soakMs?: number;
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
  return { rollout, dryRun: flags.get('dry-run') === true };
}
