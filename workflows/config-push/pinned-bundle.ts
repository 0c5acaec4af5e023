import { z } from 'zod';
import {
  bundleIdentity,
  bundleIdentityKey,
  type Bundle,
  type BundleIdentity,
} from '../../src/bundles/bundle.js';
import type { BundleStore } from '../../src/bundles/bundle-store.js';
import { ErrorCode, ValidationError, type FieldIssue, type TaskContext } from '../../src/authoring/index.js';
import type { ConfigPushParams } from './params.js';

const SHA256 = z.string().regex(/^[0-9a-f]{64}$/);

/** What the validation task records about the bundle: the identity every later task holds the bundle to. */
export const ValidatedBundle = z.object({
  name: z.string(),
  version: z.string(),
  sha256: SHA256,
  manifestSha256: SHA256,
  target: z.string(),
  owners: z.array(z.string()),
  description: z.string(),
});
export type ValidatedBundle = z.infer<typeof ValidatedBundle>;

export function describeBundle(bundle: Bundle): ValidatedBundle {
  const { manifest } = bundle;
  return {
    ...bundleIdentity(bundle),
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

/** Named locks on what a push writes: one file on one host, whichever bundle writes it. */
export function pathLocks(hosts: readonly string[], target: string): string[] {
  return hosts.map((host) => `path:${host}:${target}`);
}

/**
 * Bundles as validated, by identity (name, version, manifest, content), loaded once per process. Keyed
 * by the whole identity: two bundles with byte-identical files but other targets or reloads are two
 * bundles, never one served for the other.
 */
export class PinnedBundles {
  private readonly cache = new Map<string, Bundle>();

  constructor(private readonly store: BundleStore) {}

  /** The bundle `validated` names, exactly as validated; a ValidationError when it changed since. */
  async get(validated: BundleIdentity, runId: string): Promise<Bundle> {
    const key = bundleIdentityKey(validated);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const bundle = await this.store.load(validated.name);
    const changed = changes(validated, bundleIdentity(bundle));
    if (changed.length > 0)
      throw new ValidationError(`Bundle "${validated.name}"`, changed, {
        code: ErrorCode.InvalidBundle,
        context: { bundle: validated.name, runId },
      });
    this.cache.set(key, bundle);
    return bundle;
  }
}

function changes(was: BundleIdentity, now: BundleIdentity): FieldIssue[] {
  const short = (sha: string): string => `${sha.slice(0, 12)}…`;
  const since = 'changed since this run validated it';
  const issues: FieldIssue[] = [];
  if (now.name !== was.name)
    issues.push({ path: 'name', message: `${since} ("${was.name}", now "${now.name}")` });
  if (now.version !== was.version)
    issues.push({
      path: 'version',
      message: `${since} (${was.version}, now ${now.version}); start a new push`,
    });
  if (now.manifestSha256 !== was.manifestSha256)
    issues.push({
      path: 'bundle.yaml',
      message: `${since} (sha256 ${short(was.manifestSha256)}, now ${short(now.manifestSha256)}); start a new push`,
    });
  if (now.sha256 !== was.sha256)
    issues.push({
      path: 'file.source',
      message: `${since} (sha256 ${short(was.sha256)}, now ${short(now.sha256)}); start a new push`,
    });
  return issues;
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
  const pins = new PinnedBundles(store);
  return async (ctx) => {
    const validated = validation(ctx);
    if (!validated) throw new Error(`task ${ctx.taskId} ran without the bundle's validation`);
    return pins.get(validated, ctx.runId);
  };
}
