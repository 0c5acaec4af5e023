import { readFile, stat } from 'node:fs/promises';
import { buildAnsibleInventory } from './ansible/build-ansible-inventory.js';
import { loadAnsibleVarFiles } from './ansible/load-ansible-dir.js';
import { parseAnsibleIni } from './ansible/parse-ansible-ini.js';
import { parseAnsibleYaml } from './ansible/parse-ansible-yaml.js';
import { detectInventoryFormat, type InventoryFormat } from './detect-format.js';
import { StaticInventory, type Inventory } from './inventory.js';
import { invalidInventory } from './inventory-error.js';
import { parseMarshalInventory } from './yaml-inventory.js';

/**
 * Reads an inventory file, whichever format it is: Marshal's YAML, Ansible INI or Ansible YAML (with the
 * `group_vars/` and `host_vars/` next to it). Every refusal is a ValidationError coded InvalidInventory.
 */
export async function loadInventory(path: string): Promise<Inventory & { format: InventoryFormat }> {
  let text: string;
  try {
    if ((await stat(path)).isDirectory()) {
      throw invalidInventory(path, [
        { path: '', message: 'is a directory; give the inventory file itself (hosts.ini, inventory.yaml…)' },
      ]);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw invalidInventory(path, [{ path: '', message: 'no such file' }]);
    if (code === 'EACCES')
      throw invalidInventory(path, [{ path: '', message: 'not readable by Marshal (permission denied)' }]);
    throw err;
  }
  const format = detectInventoryFormat(text, path);
  const data =
    format === 'marshal-yaml'
      ? parseMarshalInventory(text, path)
      : buildAnsibleInventory(
          format === 'ansible-ini' ? parseAnsibleIni(text, path) : parseAnsibleYaml(text, path),
          path,
          await loadAnsibleVarFiles(path),
        );
  return Object.assign(new StaticInventory(data), { format });
}
