import { describe, expect, it } from 'vitest';
import { bundleIdentity, checkBundleFile, parseManifest, type Bundle } from '../../../src/bundles/bundle.js';
import type { BundleStore } from '../../../src/bundles/bundle-store.js';
import { ValidationError } from '../../../src/errors/index.js';
import {
  ADMITTED_FOR_MS,
  describeBundle,
  PinnedBundles,
} from '../../../workflows/config-push/pinned-bundle.js';
import { allowedRoots, rateLimiterConfig, rateLimiterManifest } from '../bundles/fixtures.js';

/** Bundles checked by the real parser, kept in memory: a BundleStore with no disk under it. */
class MemoryBundleStore implements BundleStore {
  readonly loads: string[] = [];
  private readonly bundles = new Map<string, Bundle>();

  put(name: string, manifest: string, content = rateLimiterConfig): Bundle {
    const bundle = checkBundleFile(parseManifest(name, manifest, { allowedRoots }), content);
    this.bundles.set(name, bundle);
    return bundle;
  }

  load(name: string): Promise<Bundle> {
    this.loads.push(name);
    const bundle = this.bundles.get(name);
    return bundle ? Promise.resolve(bundle) : Promise.reject(new Error(`no bundle ${name}`));
  }

  names(): Promise<string[]> {
    return Promise.resolve([...this.bundles.keys()].sort());
  }
}

const renamed = (name: string, manifest = rateLimiterManifest): string =>
  manifest.replace(/^name: rate-limiter$/m, `name: ${name}`);

describe('pinned bundles are cached by identity, not by content', () => {
  it('two bundles with byte-identical files but other targets are two bundles', async () => {
    const store = new MemoryBundleStore();
    const a = store.put('rate-limiter', rateLimiterManifest);
    const b = store.put(
      'mirror',
      renamed('mirror').replaceAll('/etc/marshal-apps/rate-limiter/', '/etc/marshal-apps/mirror/'),
    );
    expect(b.sha256).toBe(a.sha256);
    expect(b.manifestSha256).not.toBe(a.manifestSha256);

    const pins = new PinnedBundles(store);
    expect((await pins.get(bundleIdentity(a), 'run-1')).manifest.file.target).toBe(
      '/etc/marshal-apps/rate-limiter/rate-limiter.yaml',
    );
    expect((await pins.get(bundleIdentity(b), 'run-2')).manifest.file.target).toBe(
      '/etc/marshal-apps/mirror/rate-limiter.yaml',
    );
    // Each identity is loaded once, then served from the cache.
    await pins.get(bundleIdentity(a), 'run-3');
    await pins.get(describeBundle(b), 'run-4');
    expect(store.loads).toEqual(['rate-limiter', 'mirror']);
  });

  it('a bundle whose manifest changed since validation (same file) is refused, naming bundle.yaml', async () => {
    const store = new MemoryBundleStore();
    const validated = describeBundle(store.put('rate-limiter', rateLimiterManifest));
    store.put('rate-limiter', rateLimiterManifest.replace('timeoutSeconds: 20', 'timeoutSeconds: 30'));
    const refusal = await new PinnedBundles(store).get(validated, 'run-1').catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).issues.map((i) => i.path)).toEqual(['bundle.yaml']);
  });

  it('a bundle whose file or version changed since validation is refused, naming each', async () => {
    const store = new MemoryBundleStore();
    const validated = describeBundle(store.put('rate-limiter', rateLimiterManifest));
    store.put(
      'rate-limiter',
      rateLimiterManifest.replace('version: 1.4.0', 'version: 1.4.1'),
      rateLimiterConfig.replace('rate: 5\n', 'rate: 4\n'),
    );
    const refusal = await new PinnedBundles(store).get(validated, 'run-1').catch((e: unknown) => e);
    expect((refusal as ValidationError).issues.map((i) => i.path)).toEqual([
      'version',
      'bundle.yaml',
      'file.source',
    ]);
  });
});

describe('the bundle admit loaded goes on to the run', () => {
  it('validation takes what admit loaded, and every later task finds it pinned: one load per run', async () => {
    const store = new MemoryBundleStore();
    store.put('rate-limiter', rateLimiterManifest);
    const pins = new PinnedBundles(store);
    const admitted = await store.load('rate-limiter');
    pins.admit(admitted);
    const validated = await pins.validate('rate-limiter');
    expect(validated).toBe(admitted);
    expect(await pins.get(describeBundle(validated), 'run-1')).toBe(admitted);
    expect(store.loads).toEqual(['rate-limiter']);
  });

  it('hands it on once, and not after ADMITTED_FOR_MS: then the bundle is read again', async () => {
    const store = new MemoryBundleStore();
    store.put('rate-limiter', rateLimiterManifest);
    let now = 1_000;
    const pins = new PinnedBundles(store, () => now);
    pins.admit(await store.load('rate-limiter'));
    await pins.validate('rate-limiter');
    await pins.validate('rate-limiter');
    expect(store.loads).toEqual(['rate-limiter', 'rate-limiter']);

    // Republished between an admit and a validation that came too late: the new one is validated.
    pins.admit(await store.load('rate-limiter'));
    store.put('rate-limiter', rateLimiterManifest.replace('version: 1.4.0', 'version: 1.4.1'));
    now += ADMITTED_FOR_MS + 1;
    expect((await pins.validate('rate-limiter')).manifest.version).toBe('1.4.1');
  });
});
