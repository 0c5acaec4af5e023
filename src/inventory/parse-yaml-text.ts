import { LineCounter, parseDocument } from 'yaml';
import { invalidInventory } from './inventory-error.js';

/**
 * YAML text to plain data, refusing syntax errors and duplicate keys with their line. `version` is 1.1
 * for Ansible files (PyYAML reads `yes`/`no` as booleans there) and 1.2 for Marshal's own.
 */
export function parseYamlText(text: string, source: string, version: '1.1' | '1.2' = '1.2'): unknown {
  const read = readYaml(text, version);
  if (!read.ok)
    throw invalidInventory(source, [
      { path: `line ${read.line}`, message: `not valid YAML: ${read.message}` },
    ]);
  return read.data;
}

/**
 * YAML text to plain data, or the first syntax error (duplicate keys included) with its line, for
 * callers to put in their own error. Aliases are bounded; Ansible's tags are known.
 */
export function readYaml(
  text: string,
  version: '1.1' | '1.2' = '1.2',
): { ok: true; data: unknown } | { ok: false; line: number; message: string } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    version,
    uniqueKeys: true,
    prettyErrors: false,
    customTags: ansibleTags,
    lineCounter,
  });
  const first = doc.errors[0];
  if (first)
    return {
      ok: false,
      line: lineCounter.linePos(first.pos[0]).line,
      message: first.message.split('\n')[0] ?? '',
    };
  return { ok: true, data: doc.toJS({ maxAliasCount: 100 }) };
}

/**
 * Ansible's own tags. A vault-encrypted value is never decrypted by Marshal: it becomes a marker, so the
 * ciphertext is not mistaken for the value and no secret travels further.
 */
const ansibleTags = [
  { tag: '!vault', resolve: () => VAULT_MARKER },
  { tag: '!unsafe', resolve: (value: string) => value },
];

export const VAULT_MARKER = '<vault-encrypted>';
