import { parseDocument } from 'yaml';
import { invalidInventory } from './inventory-error.js';
import { MARSHAL_TOP_LEVEL_KEYS } from './marshal-inventory-schema.js';

export type InventoryFormat = 'marshal-yaml' | 'ansible-yaml' | 'ansible-ini';

const ANSIBLE_GROUP_KEYS = new Set(['hosts', 'children', 'vars']);
const YAML_EXTENSIONS = /\.(ya?ml|json)$/i;

/**
 * Which of the three formats a file is, from its content (the extension only decides whether text that
 * is not a YAML mapping may be INI). Marshal's own files say `version: 1` or use only its top-level keys;
 * an Ansible YAML file is a mapping of groups that hold only hosts/children/vars. A file that fits both
 * or neither is refused rather than guessed.
 */
export function detectInventoryFormat(text: string, source: string): InventoryFormat {
  const doc = parseDocument(text, { uniqueKeys: false });
  const data: unknown = doc.errors.length === 0 ? doc.toJS() : undefined;
  if (!isMapping(data)) {
    if (YAML_EXTENSIONS.test(source)) {
      const why = doc.errors[0]?.message.split('\n')[0] ?? 'it is not a mapping';
      throw invalidInventory(source, [{ path: '', message: `a YAML inventory must be a mapping; ${why}` }]);
    }
    if (text.trim() === '')
      throw invalidInventory(source, [{ path: '', message: 'the inventory file is empty' }]);
    return 'ansible-ini';
  }
  if ('plugin' in data) {
    throw invalidInventory(source, [
      {
        path: 'plugin',
        message:
          'an Ansible inventory plugin configuration is not an inventory; export one with `ansible-inventory -i FILE --list -y`',
      },
    ]);
  }
  const keys = Object.keys(data);
  const ansibleLike =
    keys.length > 0 &&
    keys.every(
      (k) =>
        data[k] === null ||
        (isMapping(data[k]) && Object.keys(data[k]).every((g) => ANSIBLE_GROUP_KEYS.has(g))),
    );
  const marshalLike =
    'version' in data || (keys.some((k) => MARSHAL_TOP_LEVEL_KEYS.includes(k)) && !ansibleLike);
  if ('version' in data) return 'marshal-yaml';
  if (marshalLike) return 'marshal-yaml';
  if (ansibleLike && 'hosts' in data) {
    throw invalidInventory(source, [
      {
        path: '',
        message:
          "ambiguous: this reads both as a Marshal inventory and as an Ansible one with a group named 'hosts'; add `version: 1` at the top if it is Marshal's",
      },
    ]);
  }
  if (ansibleLike) return 'ansible-yaml';
  throw invalidInventory(source, [
    {
      path: '',
      message: `unknown inventory format (top-level keys: ${keys.slice(0, 8).join(', ')}); expected Marshal's (version, defaults, hosts, groups) or Ansible's (groups holding hosts, children, vars)`,
    },
  ]);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
