import type { FieldIssue } from '../../errors/index.js';
import { describeValue } from '../describe-value.js';
import { didYouMean } from '../closest-matches.js';
import { invalidInventory } from '../inventory-error.js';
import { parseYamlText } from '../parse-yaml-text.js';
import { addChild, addHosts, emptyDraft, ensureGroup, type AnsibleDraft } from './ansible-draft.js';
import { expandHostPattern, HostPatternError } from './host-pattern.js';

const GROUP_KEYS = ['hosts', 'children', 'vars'];

/** Ansible's YAML inventory (`all: { hosts, children, vars }`, children nesting), read as YAML 1.1 like PyYAML. */
export function parseAnsibleYaml(text: string, source: string): AnsibleDraft {
  return buildAnsibleYamlDraft(parseYamlText(text, source, '1.1'), source);
}

/**
 * Where Ansible warns and skips (a key other than hosts/children/vars, a group that is not a mapping),
 * Marshal refuses: a silently skipped `host:` typo is a host that is silently never touched.
 */
export function buildAnsibleYamlDraft(data: unknown, source: string): AnsibleDraft {
  const draft = emptyDraft();
  const fail = (path: string, message: string): never => {
    throw invalidInventory(source, [{ path, message } satisfies FieldIssue]);
  };
  if (!isMapping(data)) return fail('', `expected a mapping of group names, got ${describeValue(data)}`);
  if ('plugin' in data) {
    fail(
      'plugin',
      'this is an inventory plugin configuration, not an inventory; export it with `ansible-inventory -i FILE --list -y`',
    );
  }

  const parseGroup = (name: string, body: unknown, path: string): void => {
    ensureGroup(draft, name);
    if (body === null || body === undefined) return;
    if (!isMapping(body))
      return fail(path, `expected a group (hosts, children, vars), got ${describeValue(body)}`);
    for (const [key, value] of Object.entries(body)) {
      if (!GROUP_KEYS.includes(key)) {
        fail(
          `${path}.${key}`,
          `unknown key '${key}'${didYouMean(key, GROUP_KEYS)}; a group has only: ${GROUP_KEYS.join(', ')}`,
        );
      }
      if (value === null || value === undefined) continue;
      const section = typeof value === 'string' ? { [value]: null } : value;
      if (!isMapping(section)) fail(`${path}.${key}`, `expected a mapping, got ${describeValue(value)}`);
      const entries = Object.entries(section as Record<string, unknown>);
      if (key === 'vars') {
        Object.assign(ensureGroup(draft, name).vars, section);
      } else if (key === 'children') {
        for (const [child, childBody] of entries) {
          parseGroup(child, childBody, `${path}.children.${child}`);
          addChild(draft, name, child);
        }
      } else {
        for (const [pattern, vars] of entries) {
          const hostPath = `${path}.hosts.${pattern}`;
          if (vars !== null && vars !== undefined && !isMapping(vars)) {
            fail(hostPath, `expected the host's variables as a mapping, got ${describeValue(vars)}`);
          }
          try {
            const { names, port } = expandHostPattern(pattern);
            addHosts(draft, name, names, port, (vars as Record<string, unknown> | null) ?? {});
          } catch (err) {
            if (err instanceof HostPatternError) fail(hostPath, err.message);
            throw err;
          }
        }
      }
    }
  };
  for (const [name, body] of Object.entries(data)) parseGroup(name, body, name);
  return draft;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
