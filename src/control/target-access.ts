import type { TargetRule } from '../config/marshal-config.js';

/** The hosts a run would touch that the person's rules do not reach; empty when all are allowed. */
export interface TargetVerdict {
  limited: boolean;
  outside: string[];
  selectors: string[];
}

/**
 * Per-target access, pure: `rulesFor` are the rules that match the person (by user or group) and the
 * workflow; `reach(selector)` are the hosts a rule's selector picks. A person no rule matches is not
 * limited; otherwise every target must be reached by at least one of their rules.
 */
export function checkTargets(
  rules: readonly TargetRule[],
  workflow: string,
  targets: readonly string[],
  reach: (selector: string) => readonly string[],
): TargetVerdict {
  const mine = rules.filter((r) => !r.workflows || r.workflows.includes(workflow));
  if (mine.length === 0) return { limited: false, outside: [], selectors: [] };
  const allowed = new Set(mine.flatMap((r) => reach(r.selector)));
  return {
    limited: true,
    outside: targets.filter((t) => !allowed.has(t)),
    selectors: mine.map((r) => r.selector),
  };
}
