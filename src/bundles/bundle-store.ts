import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, ValidationError } from '../errors/index.js';
import { checkBundleFile, parseManifest, type Bundle, type BundleCheckOptions } from './bundle.js';
import { BundleName } from './manifest.js';
import { UnknownBundleError } from './errors/unknown-bundle-error.js';

/** Where workflows get bundles from. Every load validates: a bundle is never used unchecked. */
export interface BundleStore {
  /** The bundle, validated; UnknownBundleError when the store has no bundle of that name. */
  load(name: string): Promise<Bundle>;
  /** The names of the bundles the store holds, sorted. */
  names(): Promise<string[]>;
}

/** Bundles kept as `<root>/<name>/bundle.yaml` plus the file it names, as in the repository's `bundles/`. */
export class DirectoryBundleStore implements BundleStore {
  constructor(
    private readonly root: string,
    private readonly options: BundleCheckOptions,
  ) {}

  async load(name: string): Promise<Bundle> {
    // The name becomes a path: check it before it touches the file system.
    const checked = BundleName.safeParse(name);
    if (!checked.success)
      throw ValidationError.fromZod(`Bundle name "${name}"`, checked.error, {
        code: ErrorCode.InvalidBundle,
      });
    const dir = join(this.root, name);
    const manifestPath = join(dir, 'bundle.yaml');
    const manifestText = await readFile(manifestPath, 'utf8').catch(async (err: NodeJS.ErrnoException) => {
      // No bundle.yaml: no such bundle (names() lists exactly the directories that have one).
      if (err.code === 'ENOENT')
        throw new UnknownBundleError(name, `the bundles directory ${this.root}`, await this.names());
      return readText(manifestPath, name, 'bundle.yaml');
    });
    const manifest = parseManifest(name, manifestText, this.options);
    const content = await readText(
      join(dir, manifest.file.source),
      name,
      `file.source (${manifest.file.source})`,
    );
    return checkBundleFile(manifest, content);
  }

  /** Every directory of the root that has a `bundle.yaml`: a bundle, valid or not. */
  async names(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    const names: string[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const has = await readFile(join(this.root, entry.name, 'bundle.yaml')).then(
        () => true,
        () => false,
      );
      if (has) names.push(entry.name);
    }
    return names.sort();
  }
}

async function readText(path: string, bundle: string, field: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ValidationError(
      `Bundle "${bundle}"`,
      [
        {
          path: field === 'bundle.yaml' ? '' : 'file.source',
          message: missing ? `${path} does not exist` : `${path} cannot be read: ${(err as Error).message}`,
        },
      ],
      { code: ErrorCode.InvalidBundle, context: { bundle } },
    );
  }
}
