import type { FieldIssue } from '../../errors/index.js';
import { Host } from '../../hosts/host.js';
import { describeValue } from '../describe-value.js';
import { inventoryGroups, resolveGroups } from '../group-graph.js';
import type { InventoryData } from '../inventory-data.js';
import { invalidInventory } from '../inventory-error.js';
import { assertNoJumpLoop } from '../yaml-inventory.js';
import type { AnsibleDraft } from './ansible-draft.js';
import { findProxyJump } from './proxy-jump.js';

/** Variables from `group_vars/` and `host_vars/` next to the inventory file. */
export interface AnsibleVarFiles {
  groupVars: ReadonlyMap<string, Record<string, unknown>>;
  hostVars: ReadonlyMap<string, Record<string, unknown>>;
}

export const NO_VAR_FILES: AnsibleVarFiles = { groupVars: new Map(), hostVars: new Map() };

/** Connection secrets stay with Ansible: Marshal connects with its own keys and never carries these. */
const SECRET_VARS = new Set([
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_become_pass',
  'ansible_become_password',
  'ansible_sudo_pass',
  'ansible_su_pass',
]);

const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9._:-]{0,252}$/;
const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$/;

/**
 * Layers variables exactly as Ansible does (lowest first): inventory-file group vars by group depth then
 * name (`all` first), `group_vars/all`, `group_vars/<group>` by depth then name, the host's own inventory
 * vars, `host_vars/<host>`. Then maps connection vars onto Host fields.
 */
export function buildAnsibleInventory(
  draft: AnsibleDraft,
  source: string,
  files: AnsibleVarFiles = NO_VAR_FILES,
): InventoryData {
  const issues: FieldIssue[] = [];
  for (const name of draft.hostOrder) {
    if (!HOST_NAME.test(name))
      issues.push({
        path: `hosts.${name}`,
        message: `host name ${describeValue(name)} has characters Marshal cannot select by; allowed: letters, digits, '.', '_', ':', '-'`,
      });
  }
  for (const name of draft.groups.keys()) {
    if (!GROUP_NAME.test(name))
      issues.push({
        path: `groups.${name}`,
        message: `group name ${describeValue(name)} has characters Marshal cannot select by; allowed: letters, digits, '.', '_', '-'`,
      });
  }
  if (issues.length > 0) throw invalidInventory(source, issues);

  const all = draft.groups.get('all')!;
  const inOtherGroup = new Set<string>();
  for (const g of draft.groups.values()) {
    if (g.name !== 'all' && g.name !== 'ungrouped') for (const h of g.hosts) inOtherGroup.add(h);
  }
  // Ansible's reconcile step: `ungrouped` holds exactly the hosts no other group has.
  const ungrouped = draft.groups.get('ungrouped')!;
  ungrouped.hosts = draft.hostOrder.filter((h) => !inOtherGroup.has(h));

  const defs = [...draft.groups.values()].filter((g) => g.name !== 'all');
  const resolved = resolveGroups(source, defs, draft.hostOrder);
  const warnings: string[] = [];

  const merged = new Map<string, Record<string, unknown>>();
  for (const name of draft.hostOrder) {
    const groups = resolved.groupsOf.get(name) ?? [];
    merged.set(
      name,
      Object.assign(
        {},
        all.vars,
        ...groups.map((g) => draft.groups.get(g)!.vars),
        files.groupVars.get('all'),
        ...groups.map((g) => files.groupVars.get(g)),
        draft.hostVars.get(name),
        files.hostVars.get(name),
      ) as Record<string, unknown>,
    );
  }

  const hosts = draft.hostOrder.map((name) => {
    const vars = merged.get(name)!;
    const field = (key: string) => `hostvars.${name}.${key}`;
    const address = connectionString(vars, ['ansible_host', 'ansible_ssh_host'], field, issues) ?? name;
    const user = connectionString(vars, ['ansible_user', 'ansible_ssh_user'], field, issues);
    const port = connectionPort(vars, field, issues);
    const clean = Object.fromEntries(Object.entries(vars).filter(([k]) => !SECRET_VARS.has(k)));
    return {
      name,
      address,
      port,
      user,
      region: plainString(vars.region, field('region'), issues),
      role: plainString(vars.role, field('role'), issues),
      tags: tagList(vars.tags, field('tags'), issues),
      groups: [...(resolved.groupsOf.get(name) ?? [])],
      vars: clean,
    };
  });
  if (issues.length > 0) throw invalidInventory(source, issues);

  const parsed = hosts.map((h) => Host.parse(h));
  for (const host of parsed) {
    const v = merged.get(host.name)!;
    const args = [v.ansible_ssh_common_args, v.ansible_ssh_extra_args].filter(
      (a): a is string => typeof a === 'string',
    );
    const spec = findProxyJump(args);
    if (spec.kind === 'none') continue;
    if (spec.kind === 'unclear') {
      warnings.push(`${host.name}: jump host not mapped (${spec.reason}); kept in its vars`);
      continue;
    }
    const jump = resolveJumpTarget(spec.target, parsed);
    if (typeof jump === 'string' && jump !== host.name) host.jump = jump;
    else
      warnings.push(
        `${host.name}: jump host '${spec.target}' not mapped (${typeof jump === 'string' ? 'it is the host itself' : jump.reason}); kept in its vars`,
      );
  }
  assertNoJumpLoop(source, parsed);

  return {
    source,
    hosts: parsed,
    groups: inventoryGroups(defs, resolved),
    warnings,
  };
}

/** `[user@]host[:port]` to an inventory host, by name or else by a unique address, when user and port agree. */
function resolveJumpTarget(target: string, hosts: readonly Host[]): string | { reason: string } {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::([0-9]+))?$/.exec(target);
  if (!m) return { reason: 'not [user@]host[:port]' };
  const [, user, rawHost, port] = m;
  const hostPart = rawHost!.replace(/^\[|\]$/g, '');
  const byName = hosts.find((h) => h.name === hostPart);
  const byAddress = hosts.filter((h) => h.address === hostPart);
  const host = byName ?? (byAddress.length === 1 ? byAddress[0] : undefined);
  if (!host)
    return {
      reason:
        byAddress.length > 1
          ? 'several hosts have that address'
          : 'no inventory host has that name or address',
    };
  if (user !== undefined && user !== host.user)
    return { reason: `user '${user}' differs from ${host.name}'s user '${host.user}'` };
  if (port !== undefined && Number(port) !== host.port)
    return { reason: `port ${port} differs from ${host.name}'s port ${host.port}` };
  return host.name;
}

function connectionString(
  vars: Record<string, unknown>,
  keys: string[],
  field: (k: string) => string,
  issues: FieldIssue[],
): string | undefined {
  const key = keys.find((k) => vars[k] !== undefined && vars[k] !== null);
  if (key === undefined) return undefined;
  const value = vars[key];
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value === '') {
    issues.push({ path: field(key), message: `expected a non-empty string, got ${describeValue(value)}` });
    return undefined;
  }
  if (value.includes('{{')) {
    issues.push({
      path: field(key),
      message: `is a Jinja template (${describeValue(value)}); Marshal does not evaluate templates, write the value itself`,
    });
    return undefined;
  }
  return value;
}

function connectionPort(
  vars: Record<string, unknown>,
  field: (k: string) => string,
  issues: FieldIssue[],
): number | undefined {
  const key = ['ansible_port', 'ansible_ssh_port'].find((k) => vars[k] !== undefined && vars[k] !== null);
  if (key === undefined) return undefined;
  const value = vars[key];
  const port =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^[0-9]+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    issues.push({ path: field(key), message: `expected integer 1..65535, got ${describeValue(value)}` });
    return undefined;
  }
  return port;
}

function plainString(value: unknown, path: string, issues: FieldIssue[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  issues.push({ path, message: `expected a non-empty string, got ${describeValue(value)}` });
  return undefined;
}

/** The `tags` var: a list of strings, or one comma-separated string. */
function tagList(value: unknown, path: string, issues: FieldIssue[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string')
    return value
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  if (Array.isArray(value) && value.every((t) => typeof t === 'string')) return value;
  issues.push({
    path,
    message: `expected a list of strings or a comma-separated string, got ${describeValue(value)}`,
  });
  return undefined;
}
