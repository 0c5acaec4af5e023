import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, ValidationError } from '../errors/index.js';
import { checkBundleFile, parseManifest, type Bundle, type BundleCheckOptions } from './bundle.js';
import { BundleName } from './manifest.js';

/** Where workflows get bundles from. Every load validates: a bundle is never used unchecked. */
export interface BundleStore {
  load(name: string): Promise<Bundle>;
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
    const manifestText = await readText(join(dir, 'bundle.yaml'), name, 'bundle.yaml');
    const manifest = parseManifest(name, manifestText, this.options);
    const content = await readText(
      join(dir, manifest.file.source),
      name,
      `file.source (${manifest.file.source})`,
    );
    return checkBundleFile(manifest, content);
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
