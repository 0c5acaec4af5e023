import type { z } from 'zod';
import type { FieldIssue } from '../errors/index.js';
import { formatPath } from '../errors/index.js';
import { Host } from '../hosts/host.js';
import { inventoryGroups, resolveGroups } from './group-graph.js';
import type { InventoryData } from './inventory-data.js';
import { invalidInventory } from './inventory-error.js';
import { MarshalInventoryFile } from './marshal-inventory-schema.js';
import { parseYamlText } from './parse-yaml-text.js';
import { inventoryErrorMap } from './zod-messages.js';
import { didYouMean } from './closest-matches.js';

/** Marshal's own YAML inventory (docs/inventory.md) from its text. */
export function parseMarshalInventory(text: string, source: string): InventoryData {
  return buildMarshalInventory(parseYamlText(text, source, '1.2'), source);
}

/** Marshal's own inventory from already-parsed YAML data. */
export function buildMarshalInventory(data: unknown, source: string): InventoryData {
  const parsed = MarshalInventoryFile.safeParse(data, { error: inventoryErrorMap });
  if (!parsed.success) throw invalidInventory(source, parsed.error.issues.map(toFieldIssue));
  const file = parsed.data;
  const defaults = file.defaults ?? {};
  const hostNames = Object.keys(file.hosts);
  const hostSet = new Set(hostNames);
  const groupEntries = Object.entries(file.groups ?? {}).map(([name, g]) => ({
    name,
    hosts: g?.hosts ?? [],
    children: g?.children ?? [],
    vars: g?.vars ?? {},
  }));
  const groupSet = new Set(groupEntries.map((g) => g.name));

  const issues: FieldIssue[] = [];
  if (defaults.jump !== undefined && !hostSet.has(defaults.jump)) {
    issues.push({ path: 'defaults.jump', message: unknownHost(defaults.jump, hostNames) });
  }
  for (const [name, entry] of Object.entries(file.hosts)) {
    const jump = entry?.jump;
    if (jump === undefined) continue;
    if (jump === name)
      issues.push({ path: `hosts.${name}.jump`, message: 'a host cannot jump through itself' });
    else if (!hostSet.has(jump))
      issues.push({ path: `hosts.${name}.jump`, message: unknownHost(jump, hostNames) });
  }
  for (const g of groupEntries) {
    if (g.name === 'all') {
      issues.push({
        path: 'groups.all',
        message: "'all' is the implicit group of every host; use defaults.vars for its variables",
      });
    }
    if (hostSet.has(g.name)) {
      issues.push({
        path: `groups.${g.name}`,
        message: `a host is also named '${g.name}'; selectors could not tell them apart`,
      });
    }
    g.hosts.forEach((h, i) => {
      if (!hostSet.has(h))
        issues.push({ path: `groups.${g.name}.hosts[${i}]`, message: unknownHost(h, hostNames) });
    });
    g.children.forEach((c, i) => {
      if (!groupSet.has(c)) {
        issues.push({
          path: `groups.${g.name}.children[${i}]`,
          message: `no group named '${c}'${didYouMean(c, groupSet)}`,
        });
      }
    });
  }
  if (issues.length > 0) throw invalidInventory(source, issues);

  const resolved = resolveGroups(source, groupEntries, hostNames);
  const varsOf = new Map(groupEntries.map((g) => [g.name, g.vars]));
  const hosts = hostNames.map((name) => {
    const entry = file.hosts[name] ?? {};
    const groups = resolved.groupsOf.get(name) ?? [];
    const vars = Object.assign({}, defaults.vars, ...groups.map((g) => varsOf.get(g)), entry.vars) as Record<
      string,
      unknown
    >;
    return Host.parse({
      name,
      address: entry.address ?? name,
      port: entry.port ?? defaults.port,
      user: entry.user ?? defaults.user,
      region: entry.region ?? defaults.region,
      role: entry.role,
      tags: entry.tags,
      jump: entry.jump ?? (defaults.jump === name ? undefined : defaults.jump),
      groups: [...groups],
      vars,
    });
  });
  assertNoJumpLoop(source, hosts);
  return {
    source,
    hosts,
    groups: inventoryGroups(groupEntries, resolved),
    warnings: [],
  };
}

function unknownHost(name: string, hostNames: readonly string[]): string {
  return `no host named '${name}'${didYouMean(name, hostNames)}`;
}

/** `a` jumps through `b` which jumps through `a`: SSH would never connect, so refuse it here. */
export function assertNoJumpLoop(source: string, hosts: readonly Host[]): void {
  const jumpOf = new Map(hosts.map((h) => [h.name, h.jump]));
  for (const h of hosts) {
    const seen = [h.name];
    let next = h.jump;
    while (next !== undefined) {
      if (seen.includes(next)) {
        throw invalidInventory(source, [
          { path: `hosts.${h.name}.jump`, message: `jump hosts loop: ${[...seen, next].join(' → ')}` },
        ]);
      }
      seen.push(next);
      next = jumpOf.get(next);
    }
  }
}

function toFieldIssue(issue: z.core.$ZodIssue): FieldIssue {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    const key = issue.keys[0]!;
    return { path: path ? `${path}.${key}` : key, message: issue.message };
  }
  return { path, message: issue.message };
}
