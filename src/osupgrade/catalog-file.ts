import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Catalog } from './catalog-schema.js';
import { verifyCatalog } from './catalog-signature.js';
import { CatalogRefused } from './errors/catalog-refused.js';

/** Reads and verifies the signed catalog named in the settings (relative to Marshal's config directory). */
export async function loadCatalog(path: string, publicKeyPem: string, configDir: string): Promise<Catalog> {
  const file = isAbsolute(path) ? path : resolve(configDir, path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CatalogRefused(file, 'the file cannot be read', 'Check workflowSettings.os-upgrade.catalog', {
      cause: err,
    });
  }
  return verifyCatalog(text, publicKeyPem, file);
}
