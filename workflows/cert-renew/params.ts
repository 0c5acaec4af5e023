import { z } from 'zod';
import { durationMsSchema, RolloutParams } from '../../src/authoring/index.js';
import { CertificateName } from '../../src/certificates/definition.js';

/**
 * What `/cert renew <cert>` asks for: a declared certificate, plus the shared rollout params. The canary
 * defaults to 2 hosts (taken from the hosts whose inventory var `criticality` is `low`). Parsing is
 * idempotent: the engine stores params and parses them again.
 */
export const CertRenewParams = z
  .object({ certificate: CertificateName })
  .extend(RolloutParams.shape)
  .extend({
    canary: RolloutParams.shape.canary.removeDefault().default(2),
    soakMs: durationMsSchema({
      field: 'soakMs',
      max: { ms: 6 * 3_600_000, message: 'must be at most 6h' },
    }).default(60_000),
    concurrency: z
      .number()
      .int('must be a whole number of hosts')
      .min(1, 'must be from 1 to 100 hosts at once')
      .max(100, 'must be from 1 to 100 hosts at once')
      .default(10),
  })
  .strict();
export type CertRenewParams = z.infer<typeof CertRenewParams>;

/** `<cert>` as typed: a certificate name; the store decides whether it is declared. */
export const CertificateWord = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'is not a certificate name (lowercase letters, digits, -)');
