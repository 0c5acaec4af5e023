import type { FieldIssue } from '../../errors/index.js';
import { invalidInventory } from '../inventory-error.js';
import { addChild, addHosts, emptyDraft, ensureGroup, type AnsibleDraft } from './ansible-draft.js';
import { expandHostPattern, HostPatternError } from './host-pattern.js';
import { parseIniValue } from './python-literal.js';
import { shellWords } from './shell-words.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

/**
 * Ansible's INI inventory dialect, as ansible-core's `plugins/inventory/ini.py` reads it: `[group]` host
 * lines with inline `key=value` variables, `[group:children]`, `[group:vars]`, `#` and `;` comment lines,
 * hosts before any section are `ungrouped`. Errors name the line.
 */
export function parseAnsibleIni(text: string, source: string): AnsibleDraft {
  const draft = emptyDraft();
  const declared = new Set(['all', 'ungrouped']);
  /** Groups used before (or without) a `[name]`/`[name:children]` section: Ansible requires one. */
  const pending = new Map<string, { line: number; as: 'vars' | 'child' }>();
  let group = 'ungrouped';
  let state = 'hosts';
  const fail = (line: number, message: string): never => {
    throw invalidInventory(source, [{ path: `line ${line}`, message } satisfies FieldIssue]);
  };

  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;

    const section = SECTION.exec(line);
    if (section) {
      group = section[1]!;
      state = section[2] ?? 'hosts';
      if (!['hosts', 'children', 'vars'].includes(state)) {
        fail(
          lineNo,
          `section [${group}:${state}] has unknown type '${state}'; allowed: [group], [group:children], [group:vars]`,
        );
      }
      ensureGroup(draft, group);
      if (state === 'vars') {
        if (!declared.has(group) && !pending.has(group)) pending.set(group, { line: lineNo, as: 'vars' });
      } else {
        declared.add(group);
        pending.delete(group);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(
        lineNo,
        `invalid section '${line}': a section is [group], [group:children] or [group:vars], with no spaces`,
      );
    }

    if (state === 'hosts') {
      let words: string[];
      try {
        words = shellWords(line, { comments: true });
      } catch (err) {
        return fail(lineNo, `cannot split host line: ${(err as Error).message}`);
      }
      const [pattern, ...assignments] = words;
      if (pattern === undefined) return;
      if (pattern === '---')
        fail(lineNo, "'---' starts a YAML document; is this a YAML inventory with an .ini name?");
      const vars: Record<string, unknown> = {};
      for (const a of assignments) {
        const eq = a.indexOf('=');
        if (eq <= 0) fail(lineNo, `expected key=value after the host name, got '${a}'`);
        vars[a.slice(0, eq)] = parseIniValue(a.slice(eq + 1));
      }
      try {
        const { names, port } = expandHostPattern(pattern);
        addHosts(draft, group, names, port, vars);
      } catch (err) {
        if (err instanceof HostPatternError) fail(lineNo, err.message);
        throw err;
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) fail(lineNo, `expected key=value in [${group}:vars], got '${line}'`);
      ensureGroup(draft, group).vars[line.slice(0, eq).trim()] = parseIniValue(line.slice(eq + 1).trim());
    } else {
      const child = GROUP_NAME.exec(line)?.[1];
      if (child === undefined)
        return fail(lineNo, `expected a group name in [${group}:children], got '${line}'`);
      if (!declared.has(child) && !pending.has(child)) pending.set(child, { line: lineNo, as: 'child' });
      ensureGroup(draft, child);
      addChild(draft, group, child);
    }
  });

  for (const [name, where] of pending) {
    fail(
      where.line,
      where.as === 'vars'
        ? `[${name}:vars] is for a group that no [${name}] or [${name}:children] section defines`
        : `child group '${name}' is never defined by a [${name}] or [${name}:children] section`,
    );
  }
  return draft;
}
