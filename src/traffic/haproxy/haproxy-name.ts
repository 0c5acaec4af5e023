import { z } from 'zod';

/**
 * An HAProxy proxy or server name: the characters HAProxy itself allows in them. Narrow on purpose: names
 * travel into runtime API command lines, where a space separates arguments and `;` separates commands.
 */
export const HaproxyName = z
  .string()
  .regex(
    /^[A-Za-z0-9_.:-]{1,100}$/,
    'must be an HAProxy name: letters, digits, "-", "_", "." or ":" (no spaces or ";")',
  );
