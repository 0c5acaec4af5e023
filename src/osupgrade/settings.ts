import { z } from 'zod';
import { HealthCheckSpec } from '../hosts/blocks/host-specs.js';
import { REQUIRED_CHECKS } from './catalog-schema.js';
import { UpgradeProfile } from './upgrade-profile.js';

/**
 * The OS upgrade's section of Marshal's config (`workflowSettings.os-upgrade`): where the signed release
 * catalog is, the key it must be signed with, how hosts are upgraded, and what counts as busy.
 */
export const OsUpgradeSettings = z
  .object({
    /** The signed catalog file, relative to Marshal's config file. */
    catalog: z.string().min(1, 'name the signed release catalog file'),
    /** The Ed25519 public key (PEM) the catalog must be signed with. */
    publicKey: z.string().includes('BEGIN PUBLIC KEY', { message: 'must be a PEM public key' }),
    /** Checks a release's certification must list. */
    requiredChecks: z.array(z.string().min(1)).default([...REQUIRED_CHECKS]),
    profile: UpgradeProfile,
    /** The inventory var naming a host's data center (status and the chart group by it). */
    dcVar: z.string().min(1).default('dc'),
    /** A host running any of these is left out: it must not be rebooted under them. */
    criticalWorkload: z
      .object({
        /** `pgrep -f` patterns, e.g. a long-running training job. */
        processes: z.array(z.string().min(1)).default([]),
        /** A file whose presence says "do not reboot", e.g. /run/maintenance-hold. */
        markerFiles: z.array(z.string().regex(/^\//, 'must be an absolute path')).default([]),
        /** A command that exits non-zero while the host must not be rebooted. */
        command: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    /** What must answer after the reboot, besides SSH with a new boot id. */
    health: z.union([HealthCheckSpec, z.literal('none')]).default('tcp:22'),
    /**
     * Passes in a row the health check needs (a load balancer's `rise`), `healthIntervalMs` apart. It is
     * first probed as soon as the host answers on its new boot; every further pass costs every host the
     * interval, so one is the default.
     */
    healthSuccesses: z.number().int().min(1).max(10).default(1),
    healthIntervalMs: z.number().int().min(50).default(500),
    /** How long a host may take to come back after its reboot. */
    rebootTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .default(10 * 60_000),
    /** A host this many times slower than its batch's median is called out (once, while it runs). */
    slowFactor: z.number().min(1.5).default(3),
    /**
     * A run that has gone on this long also posts the data centers' chart at each batch (when the batch
     * starts: what the batches before it did), not only at the end. 0: at every batch.
     */
    batchChartsAfterMs: z
      .number()
      .int()
      .min(0)
      .default(15 * 60_000),
  })
  .strict();
export type OsUpgradeSettings = z.infer<typeof OsUpgradeSettings>;
