import { ErrorCode, ValidationError } from '../errors/index.js';
import type { InventoryGroup } from './inventory-group.js';

/** A group as written: direct host members and direct child groups (all names already known to exist). */
export interface GroupDefinition {
  name: string;
  hosts: readonly string[];
  children: readonly string[];
}

export interface ResolvedGroups {
  /** 1 for a top-level group, parent depth + 1 for a child (deepest parent wins), as Ansible counts. */
  depth: ReadonlyMap<string, number>;
  /** Every member of each group, direct or through children, in inventory host order. */
  members: ReadonlyMap<string, readonly string[]>;
  /** The groups of each host ordered by (depth, name): the order their variables are layered in. */
  groupsOf: ReadonlyMap<string, readonly string[]>;
}

/**
 * Folds child groups into their parents. Refuses cycles, naming the loop, since a cycle has no sensible
 * membership or variable order. Callers check beforehand that every named host and child exists.
 */
export function resolveGroups(
  source: string,
  groups: readonly GroupDefinition[],
  hostOrder: readonly string[],
): ResolvedGroups {
  const byName = new Map(groups.map((g) => [g.name, g]));
  assertNoCycle(source, groups, byName);

  const depth = new Map<string, number>();
  const depthOf = (name: string, parents: readonly string[]): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const d =
      parents.length === 0 ? 1 : Math.max(...parents.map((p) => depthOf(p, parentsOf.get(p) ?? []))) + 1;
    depth.set(name, d);
    return d;
  };
  const parentsOf = new Map<string, string[]>();
  for (const g of groups)
    for (const child of g.children) parentsOf.set(child, [...(parentsOf.get(child) ?? []), g.name]);
  for (const g of groups) depthOf(g.name, parentsOf.get(g.name) ?? []);

  const memberSets = new Map<string, Set<string>>();
  const collect = (name: string): Set<string> => {
    const cached = memberSets.get(name);
    if (cached) return cached;
    const g = byName.get(name);
    const set = new Set<string>(g?.hosts ?? []);
    for (const child of g?.children ?? []) for (const h of collect(child)) set.add(h);
    memberSets.set(name, set);
    return set;
  };
  const members = new Map<string, string[]>();
  for (const g of groups) {
    const set = collect(g.name);
    members.set(
      g.name,
      hostOrder.filter((h) => set.has(h)),
    );
  }

  const byLayer = [...groups].sort(
    (a, b) => depth.get(a.name)! - depth.get(b.name)! || compare(a.name, b.name),
  );
  const groupsOf = new Map<string, string[]>(hostOrder.map((h) => [h, []]));
  for (const g of byLayer) for (const h of members.get(g.name)!) groupsOf.get(h)?.push(g.name);
  return { depth, members, groupsOf };
}

/** The groups as the inventory publishes them: every member (children folded in), direct children, own vars. */
export function inventoryGroups(
  groups: readonly (GroupDefinition & { vars: InventoryGroup['vars'] })[],
  resolved: ResolvedGroups,
): InventoryGroup[] {
  return groups.map((g) => ({
    name: g.name,
    hosts: [...(resolved.members.get(g.name) ?? [])],
    children: [...g.children],
    vars: g.vars,
  }));
}

function assertNoCycle(
  source: string,
  groups: readonly GroupDefinition[],
  byName: Map<string, GroupDefinition>,
): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const walk = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const loop = [...trail.slice(trail.indexOf(name)), name];
      throw new ValidationError(
        `Inventory ${source}`,
        [
          {
            path: `groups.${name}.children`,
            message: `group cycle: ${loop.join(' → ')}; a group cannot contain itself`,
          },
        ],
        { code: ErrorCode.InvalidInventory, context: { source } },
      );
    }
    state.set(name, 'visiting');
    for (const child of byName.get(name)?.children ?? []) walk(child, [...trail, name]);
    state.set(name, 'done');
  };
  for (const g of groups) walk(g.name, []);
}

/** Code-point order, like Python's sort of group names, so variable layering matches Ansible. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
