import { z } from 'zod';
import type { Bundle } from '../../src/bundles/bundle.js';
import type { BundleStore } from '../../src/bundles/bundle-store.js';
import { ErrorCode, ValidationError, type TaskContext } from '../../src/authoring/index.js';
import type { ConfigPushParams } from './params.js';

/** What the validation task records about the bundle: the identity every later task holds the bundle to. */
export const ValidatedBundle = z.object({
  name: z.string(),
  version: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  target: z.string(),
  owners: z.array(z.string()),
  description: z.string(),
});
export type ValidatedBundle = z.infer<typeof ValidatedBundle>;

export function describeBundle(bundle: Bundle): ValidatedBundle {
  const { manifest } = bundle;
  return {
    name: manifest.name,
    version: manifest.version,
    sha256: bundle.sha256,
    target: manifest.file.target,
    owners: manifest.owners,
    description: manifest.description,
  };
}

/** The validation task's record, checked again: it crossed Redis. Undefined when validation did not run. */
export function validatedBundle(recorded: unknown): ValidatedBundle | undefined {
  const parsed = ValidatedBundle.safeParse(recorded);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The bundle as validated (and approved), read again where a task runs: workers are other processes, and
 * file contents stay out of Redis. If the bundle changed since validation the run stops: what is pushed
 * must be what was checked and approved.
 */
export function pinnedBundles(
  store: BundleStore,
  validation: (ctx: TaskContext<ConfigPushParams>) => ValidatedBundle | undefined,
): (ctx: TaskContext<ConfigPushParams>) => Promise<Bundle> {
  const cache = new Map<string, Bundle>();
  return async (ctx) => {
    const validated = validation(ctx);
    if (!validated) throw new Error(`task ${ctx.taskId} ran without the bundle's validation`);
    const cached = cache.get(validated.sha256);
    if (cached) return cached;
    const bundle = await store.load(validated.name);
    if (bundle.sha256 !== validated.sha256)
      throw new ValidationError(
        `Bundle "${validated.name}"`,
        [
          {
            path: 'file.source',
            message: `changed since this run validated it (sha256 ${validated.sha256.slice(0, 12)}…, now ${bundle.sha256.slice(0, 12)}…); start a new push`,
          },
        ],
        { code: ErrorCode.InvalidBundle, context: { bundle: validated.name, runId: ctx.runId } },
      );
    cache.set(bundle.sha256, bundle);
    return bundle;
  };
}
