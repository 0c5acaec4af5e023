import { z } from 'zod';

/**
 * Failure domains: hosts that fail together (a rack, a zone, a power feed), named by an inventory var.
 * `maxPer` caps how many hosts of one domain are worked on at once; `by` walks the domains one at a time.
 */

/** An inventory var name as a failure domain: `rack`, `az`, `power_feed`, `region`, `role`. */
export const DomainVarSchema = z
  .string({ error: 'must be the name of an inventory var, e.g. rack or az' })
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/,
    'must be the name of an inventory var (letters, digits, _ . -), e.g. rack or az',
  );

export interface MaxPer {
  /** The inventory var whose values are the domains. */
  var: string;
  /** Most hosts sharing one value worked on at once. */
  n: number;
}

const MAX_PER_RULE = 'give VAR=N, e.g. rack=1: at most N hosts sharing a value of inventory var VAR at once';

const MaxPerObject = z.object(
  {
    var: DomainVarSchema,
    n: z
      .number({ error: 'must be a whole number of hosts of at least 1' })
      .int('must be a whole number of hosts of at least 1')
      .min(1, 'must be a whole number of hosts of at least 1'),
  },
  { error: MAX_PER_RULE },
);

/** `{ var: 'rack', n: 1 }`, or the text `'rack=1'` as people type it; parses to itself. */
export const MaxPerSchema: z.ZodType<MaxPer> = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const match = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(value);
  return match ? { var: match[1], n: Number(match[2]) } : value;
}, MaxPerObject);

/** What the planner needs of a target: the value of a var, if it has one. */
export type DomainLookup = (target: string, variable: string) => string | undefined;

/** The hosts' own fields that selectors also read as attributes (`role=web`, `region=eu`). */
const HOST_ATTRIBUTES = new Set(['region', 'role']);

/**
 * A host's value of a failure-domain var: its inventory var, or its `region`/`role`. A var holding a
 * list or an object has no single value and reads as undefined (the plan is then refused).
 */
export function domainValue(
  host: { region?: string; role?: string; vars: Record<string, unknown> },
  variable: string,
): string | undefined {
  const value =
    variable in host.vars
      ? host.vars[variable]
      : HOST_ATTRIBUTES.has(variable)
        ? host[variable as 'region' | 'role']
        : undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
