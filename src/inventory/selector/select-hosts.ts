import type { Host } from '../../hosts/host.js';
import { closestMatches, didYouMean, quotedAlternatives } from '../closest-matches.js';
import type { InventoryGroup } from '../inventory-group.js';
import { compileGlob } from './glob.js';
import { InvalidSelectorError } from './invalid-selector-error.js';
import { NoHostsMatchedError, type TermMatch } from './no-hosts-matched-error.js';
import { parseSelector } from './parse-selector.js';
import type { SelectorAlternative, SelectorAst, SelectorAtom, SelectorPattern } from './selector-ast.js';

export interface SelectableInventory {
  hosts: readonly Host[];
  groups: readonly InventoryGroup[];
}

/** Parse and evaluate: the hosts a selector names, in inventory order, never empty. */
export function selectHosts(inventory: SelectableInventory, selector: string): Host[] {
  return evaluateSelector(inventory, parseSelector(selector));
}

/**
 * A host is selected when every term holds for it, a term holding when any of its alternatives does.
 * Fails closed twice: an alternative that matches no host at all (almost always a typo: `role=wbe`) is
 * refused, and so is a combination that leaves no host.
 */
export function evaluateSelector(inventory: SelectableInventory, ast: SelectorAst): Host[] {
  const { hosts } = inventory;
  const report = (t: { term: string; names: Set<string> }): TermMatch => ({
    term: t.term,
    matched: t.names.size,
    sample: hosts
      .filter((h) => t.names.has(h.name))
      .slice(0, 3)
      .map((h) => h.name),
  });

  const termResults = ast.terms.map((term) => {
    const names = new Set<string>();
    for (const alt of term.alternatives) {
      const matched = matchAtom(inventory, alt, ast.text);
      if (matched.size === 0) {
        throw new NoHostsMatchedError(
          ast.text,
          'has a part that matches no host',
          [report({ term: alt.text, names: matched })],
          knownValuesHint(inventory, alt.atom),
        );
      }
      const included = alt.negated
        ? new Set(hosts.filter((h) => !matched.has(h.name)).map((h) => h.name))
        : matched;
      for (const n of included) names.add(n);
    }
    return { term: term.text, names };
  });

  const selected = hosts.filter((h) => termResults.every((t) => t.names.has(h.name)));
  if (selected.length === 0) {
    throw new NoHostsMatchedError(ast.text, 'matched no host', [
      ...termResults.map(report),
      { term: 'all terms together', matched: 0, sample: [] },
    ]);
  }
  return selected;
}

/** The hosts an alternative's atom matches, ignoring its negation. Unknown names are refused here. */
function matchAtom(inventory: SelectableInventory, alt: SelectorAlternative, selector: string): Set<string> {
  const { hosts, groups } = inventory;
  const atom = alt.atom;
  const names = (predicate: (h: Host) => boolean) => new Set(hosts.filter(predicate).map((h) => h.name));
  if (atom.kind === 'all') return names(() => true);
  const matches = matcher(atom.pattern);

  if (atom.kind === 'word') {
    if (atom.pattern.glob) return names((h) => matches(h.name));
    const group = groups.find((g) => g.name === atom.pattern.text);
    if (group) return new Set(group.hosts);
    if (hosts.some((h) => h.name === atom.pattern.text)) return new Set([atom.pattern.text]);
    const candidates = [...groups.map((g) => g.name), ...hosts.map((h) => h.name)];
    throw new InvalidSelectorError(
      selector,
      `'${atom.pattern.text}' is neither a group nor a host${didYouMean(atom.pattern.text, candidates)}${groups.length ? `; groups: ${listOf(groups.map((g) => g.name))}` : ''}; or use attributes like role=web`,
      { term: alt.text },
    );
  }

  switch (atom.attribute) {
    case 'name':
      if (!atom.pattern.glob && !hosts.some((h) => h.name === atom.pattern.text)) {
        throw new InvalidSelectorError(
          selector,
          `no host is named '${atom.pattern.text}'${didYouMean(
            atom.pattern.text,
            hosts.map((h) => h.name),
          )}`,
          { term: alt.text },
        );
      }
      return names((h) => matches(h.name));
    case 'group': {
      const known = ['all', ...groups.map((g) => g.name)];
      if (!atom.pattern.glob && !known.includes(atom.pattern.text)) {
        throw new InvalidSelectorError(
          selector,
          `no group is named '${atom.pattern.text}'${didYouMean(atom.pattern.text, known)}; groups: ${listOf(known)}`,
          { term: alt.text },
        );
      }
      return names((h) => matches('all') || h.groups.some(matches));
    }
    case 'address':
      return names((h) => matches(h.address));
    case 'region':
      return names((h) => h.region !== undefined && matches(h.region));
    case 'role':
      return names((h) => h.role !== undefined && matches(h.role));
    case 'tag':
      return names((h) => h.tags.some(matches));
    case 'var': {
      const key = atom.key!;
      if (!hosts.some((h) => key in h.vars)) {
        const keys = new Set(hosts.flatMap((h) => Object.keys(h.vars)));
        throw new InvalidSelectorError(selector, `no host has a variable '${key}'${didYouMean(key, keys)}`, {
          term: alt.text,
        });
      }
      return names((h) => varValues(h.vars[key]).some(matches));
    }
  }
}

function matcher(pattern: SelectorPattern): (value: string) => boolean {
  return pattern.glob ? compileGlob(pattern.text) : (value) => value === pattern.text;
}

/** A variable compared as text: scalars by their text, lists by any element; mappings never match. */
function varValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(varValues);
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}

function knownValuesHint(inventory: SelectableInventory, atom: SelectorAtom): string {
  if (atom.kind !== 'attribute') return '';
  const { hosts } = inventory;
  const values =
    atom.attribute === 'region'
      ? hosts.map((h) => h.region)
      : atom.attribute === 'role'
        ? hosts.map((h) => h.role)
        : atom.attribute === 'tag'
          ? hosts.flatMap((h) => h.tags)
          : atom.attribute === 'var'
            ? hosts.flatMap((h) => varValues(h.vars[atom.key!]))
            : [];
  const known = [...new Set(values.filter((v): v is string => v !== undefined))];
  if (known.length === 0) return atom.attribute === 'address' ? '' : `; no host has any ${atom.attribute}`;
  const close = closestMatches(atom.pattern.text, known);
  const suggestion = close.length > 0 ? ` Did you mean ${quotedAlternatives(close)}?` : '';
  return `.${suggestion} Known ${atom.attribute === 'var' ? `values of var.${atom.key}` : `${atom.attribute}s`}: ${listOf(known)}`;
}

function listOf(items: readonly string[], max = 12): string {
  return items.length > max
    ? `${items.slice(0, max).join(', ')}, … (${items.length} in all)`
    : items.join(', ');
}
