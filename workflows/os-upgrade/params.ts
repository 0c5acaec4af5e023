import { z } from 'zod';
import { RolloutParams } from '../../src/authoring/index.js';
import { ReleaseName } from '../../src/osupgrade/index.js';

export const SelectorWord = z
  .string()
  .min(1, 'name the hosts')
  .max(200, 'must be at most 200 characters')
  .regex(/^[A-Za-z0-9_.*?=,:!\-/[\] ]+$/, 'a selector is host names, globs and var=value terms');

export const OsUpgradeParams = RolloutParams.extend({
  selector: SelectorWord,
  release: ReleaseName,
  /** Try hosts that failed an upgrade to this release before (recorded in the audit). */
  includeFailed: z.boolean().default(false),
  /** Install a release older than what a host runs. */
  allowDowngrade: z.boolean().default(false),
});
export type OsUpgradeParams = z.infer<typeof OsUpgradeParams>;
