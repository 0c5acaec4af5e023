import type { z } from 'zod';
import { didYouMean } from './closest-matches.js';
import { describeValue } from './describe-value.js';

/**
 * Parse-time error map for inventory files: every message says what was expected and what was found,
 * in the operator's words (`expected integer 1..65535, got "ssh"`), not zod's.
 */
export const inventoryErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${article(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must not be empty`
        : `must be at least ${String(issue.minimum)}, got ${describeValue(issue.input)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}, got ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
};

function article(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'a mapping';
  if (expected === 'array') return 'a list';
  return `a ${expected}`;
}

/** An error option for strict objects: unknown keys are named with a suggestion and the allowed set. */
export function unknownKeyMessage(allowed: readonly string[]): z.core.$ZodErrorMap {
  return (issue) => {
    if (issue.code !== 'unrecognized_keys') return undefined;
    const key = issue.keys[0] ?? '';
    return `unknown key '${key}'${didYouMean(key, allowed)}; allowed: ${allowed.join(', ')}`;
  };
}
