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
 * How long a bundle loaded by `admit` is handed on to the run's validation: a run's first task starts
 * moments after it is admitted; a bundle older than this is read again (it may have been republished).
 */
export const ADMITTED_FOR_MS = 10_000;

/**
 * Bundles as validated, by identity (name, version, manifest, content), loaded once per process. Keyed
 * by the whole identity: two bundles with byte-identical files but other targets or reloads are two
 * bundles, never one served for the other.
 */
export class PinnedBundles {
  private readonly cache = new Map<string, Bundle>();
  private readonly admitted = new Map<string, { bundle: Bundle; at: number }>();

  constructor(
    private readonly store: BundleStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A bundle `admit` just loaded (and checked) in this process, handed on to the run: the validation task,
   * when it runs here within `ADMITTED_FOR_MS`, takes it instead of loading the bundle a second time, and
   * every later task finds it pinned. A worker in another process loads the bundle itself, as before.
   */
  admit(bundle: Bundle): void {
    this.admitted.set(bundle.manifest.name, { bundle, at: this.now() });
    this.cache.set(bundleIdentityKey(bundleIdentity(bundle)), bundle);
  }

  /** The bundle admit loaded for a run just started (once: a second take loads), else a fresh load. */
  async validate(name: string): Promise<Bundle> {
    const admitted = this.admitted.get(name);
    this.admitted.delete(name);
    if (admitted && this.now() - admitted.at <= ADMITTED_FOR_MS) return admitted.bundle;
    const bundle = await this.store.load(name);
    this.cache.set(bundleIdentityKey(bundleIdentity(bundle)), bundle);
    return bundle;
  }

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
  pins = new PinnedBundles(store),
): (ctx: TaskContext<ConfigPushParams>) => Promise<Bundle> {
  return async (ctx) => {
    const validated = validation(ctx);
    if (!validated) throw new Error(`task ${ctx.taskId} ran without the bundle's validation`);
    return pins.get(validated, ctx.runId);
  };
}
