import { ValidationError } from '../../errors/index.js';

export const TSIG_ALGORITHMS = [
  'hmac-sha256',
  'hmac-sha384',
  'hmac-sha512',
  'hmac-sha224',
  'hmac-sha1',
  'hmac-md5',
] as const;
export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[number];

/** A TSIG key with its secret, in memory only: never logged, written to a file, or put on a command line. */
export interface TsigKey {
  name: string;
  algorithm: TsigAlgorithm;
  secret: string;
  /** Where the secret came from, for messages (`environment variable DRILL_TSIG_SECRET`). */
  source: string;
}

export interface TsigKeyReference {
  name: string;
  algorithm: TsigAlgorithm;
  secret: { env: string };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The key a scenario names, its secret read from the environment variable the scenario names. A missing or
 * malformed secret is refused naming the field and the variable, never the value.
 */
export function resolveTsigKey(
  ref: TsigKeyReference,
  env: Readonly<Record<string, string | undefined>>,
  field = 'traffic.dns.key.secret.env',
): TsigKey {
  const variable = ref.secret.env;
  const secret = env[variable]?.trim();
  if (!secret)
    throw new ValidationError('TSIG key', [
      {
        path: field,
        message: `the environment variable ${variable} is not set; it must hold the key's base64 secret`,
      },
    ]);
  if (!BASE64.test(secret))
    throw new ValidationError('TSIG key', [
      { path: field, message: `the environment variable ${variable} does not hold a base64 secret` },
    ]);
  return { name: ref.name, algorithm: ref.algorithm, secret, source: `environment variable ${variable}` };
}
