import { z } from 'zod';

export { HaproxyName } from '../../traffic/haproxy/haproxy-name.js';
export { DomainName } from '../../traffic/dns/domain-name.js';

/**
 * The words a scenario names things with. Each is narrow on purpose: these names travel into the HAProxy
 * runtime API (where `;` separates commands and a space separates arguments) and into `knsupdate`'s
 * command script (one command per line), so a name can never carry a second command.
 */

/** A name the scenario itself gives (a region, backend, check, record, replication link). */
export const LocalName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'must be 1–63 lowercase letters, digits, "-" or "_", starting with a letter or digit',
  );

/** The name of an environment variable that holds a secret; the secret itself never sits in a file. */
export const EnvVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must be an environment variable name such as DRILL_TSIG_SECRET');

/**
 * A share of traffic in percent: `25` or `'25%'`. Whole percents are as fine as a drill needs and keep
 * the shift plan readable in the thread.
 */
export const Percent = z
  .union([z.number(), z.string().regex(/^\d+(?:\.\d+)?%$/, 'write a share as 25 or "25%"')])
  .transform((value) => (typeof value === 'number' ? value : Number(value.slice(0, -1))))
  .pipe(
    z
      .number()
      .int('a share is a whole percent')
      .min(0, 'a share is at least 0%')
      .max(100, 'a share is at most 100%'),
  );

/** A rate written as a fraction (`0.01`) or a percent (`'1%'`), returned as a fraction. */
export const Rate = z
  .union([z.number(), z.string().regex(/^\d+(?:\.\d+)?%$/, 'write a rate as 0.01 or "1%"')])
  .transform((value) => (typeof value === 'number' ? value : Number(value.slice(0, -1)) / 100))
  .pipe(z.number().min(0, 'a rate is at least 0').max(1, 'a rate is at most 1 (100%)'));
