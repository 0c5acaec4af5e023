import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryBundleStore } from '../../../src/bundles/bundle-store.js';
import { ErrorCode, ValidationError } from '../../../src/errors/index.js';
import { UnknownBundleError } from '../../../src/bundles/errors/unknown-bundle-error.js';
import { rateLimiterDir } from '../../unit/bundles/fixtures.js';

describe('DirectoryBundleStore', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'marshal-bundles-'));
    await cp(rateLimiterDir, join(root, 'rate-limiter'), { recursive: true });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('loads the shipped rate-limiter bundle from disk, validated', async () => {
    const bundle = await new DirectoryBundleStore(root, { allowedRoots: ['/etc/marshal-apps'] }).load(
      'rate-limiter',
    );
    expect(bundle.manifest.name).toBe('rate-limiter');
    expect(bundle.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a bundle name that would leave the bundles directory, before reading anything', async () => {
    const err = await new DirectoryBundleStore(root, { allowedRoots: ['/etc/marshal-apps'] })
      .load('../etc')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe(ErrorCode.InvalidBundle);
  });

  it('says which bundle does not exist, and lists the known ones closest first', async () => {
    await cp(join(root, 'rate-limiter'), join(root, 'redis-tuning'), { recursive: true });
    const store = new DirectoryBundleStore(root, { allowedRoots: ['/etc/marshal-apps'] });
    const err = await store.load('redis-tunin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownBundleError);
    expect((err as UnknownBundleError).code).toBe(ErrorCode.InvalidBundle);
    expect((err as UnknownBundleError).message).toBe(
      `No bundle 'redis-tunin' in the bundles directory ${root}; known bundles, closest first: redis-tuning, rate-limiter`,
    );
    // A directory without bundle.yaml is no bundle.
    await mkdir(join(root, 'notes'));
    expect(await store.names()).toEqual(['rate-limiter', 'redis-tuning']);
    await rm(join(root, 'redis-tuning'), { recursive: true });
    await rm(join(root, 'notes'), { recursive: true });
  });

  it('says when the file a manifest names is missing', async () => {
    await cp(join(root, 'rate-limiter'), join(root, 'orphan'), { recursive: true });
    await rm(join(root, 'orphan', 'rate-limiter.yaml'));
    const manifest = join(root, 'orphan', 'bundle.yaml');
    await writeFile(
      manifest,
      (await readFile(manifest, 'utf8')).replace('name: rate-limiter', 'name: orphan'),
    );
    const err = await new DirectoryBundleStore(root, { allowedRoots: ['/etc/marshal-apps'] })
      .load('orphan')
      .catch((e: unknown) => e);
    expect((err as ValidationError).issues).toEqual([
      { path: 'file.source', message: `${join(root, 'orphan', 'rate-limiter.yaml')} does not exist` },
    ]);
  });
});
