import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { describeValue } from '../describe-value.js';
import { invalidInventory } from '../inventory-error.js';
import { parseYamlText } from '../parse-yaml-text.js';
import type { AnsibleVarFiles } from './build-ansible-inventory.js';
import { isMapping } from './parse-ansible-yaml.js';

/** The extensions Ansible's host_group_vars plugin reads (no extension counts too). */
const VAR_FILE_EXTENSIONS = new Set(['', '.yml', '.yaml', '.json']);

/**
 * Reads `group_vars/` and `host_vars/` next to an Ansible inventory file, as Ansible's host_group_vars
 * plugin does: `<name>`, `<name>.yml|.yaml|.json`, or a directory `<name>/` whose files merge in name
 * order. Entries for groups or hosts the inventory does not have are read and then unused, as in Ansible,
 * because several inventories (staging, production) often share one group_vars tree.
 */
export async function loadAnsibleVarFiles(inventoryPath: string): Promise<AnsibleVarFiles> {
  const dir = dirname(inventoryPath);
  return {
    groupVars: await readVarTree(join(dir, 'group_vars')),
    hostVars: await readVarTree(join(dir, 'host_vars')),
  };
}

async function readVarTree(dir: string): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const files = (await readdir(path))
        .filter((f) => !f.startsWith('.') && VAR_FILE_EXTENSIONS.has(extname(f)))
        .sort();
      for (const f of files) {
        if ((await stat(join(path, f))).isFile()) merge(out, entry.name, await readVarFile(join(path, f)));
      }
    } else if (entry.isFile() && VAR_FILE_EXTENSIONS.has(extname(entry.name))) {
      merge(out, basename(entry.name, extname(entry.name)), await readVarFile(path));
    }
  }
  return out;
}

function merge(out: Map<string, Record<string, unknown>>, name: string, vars: Record<string, unknown>): void {
  out.set(name, { ...out.get(name), ...vars });
}

async function readVarFile(path: string): Promise<Record<string, unknown>> {
  const data = parseYamlText(await readFile(path, 'utf8'), path, '1.1');
  if (data === null || data === undefined) return {};
  if (!isMapping(data))
    throw invalidInventory(path, [
      { path: '', message: `expected a mapping of variables, got ${describeValue(data)}` },
    ]);
  return data;
}
