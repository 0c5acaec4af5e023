/**
 * An Ansible inventory as its file says it, before variables are layered: what both the INI and the YAML
 * readers produce. `all` and `ungrouped` are groups here, as they are in Ansible.
 */
export interface AnsibleDraft {
  /** Host names in order of first appearance. */
  hostOrder: string[];
  /** Variables written on the host itself (inline in INI, under the host in YAML), later ones winning. */
  hostVars: Map<string, Record<string, unknown>>;
  groups: Map<string, AnsibleDraftGroup>;
}

export interface AnsibleDraftGroup {
  name: string;
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
}

export function emptyDraft(): AnsibleDraft {
  const draft: AnsibleDraft = { hostOrder: [], hostVars: new Map(), groups: new Map() };
  ensureGroup(draft, 'all');
  ensureGroup(draft, 'ungrouped');
  return draft;
}

export function ensureGroup(draft: AnsibleDraft, name: string): AnsibleDraftGroup {
  let group = draft.groups.get(name);
  if (!group) {
    group = { name, hosts: [], children: [], vars: {} };
    draft.groups.set(name, group);
  }
  return group;
}

/** Adds hosts to a group, setting the port from `host:port` first so an explicit ansible_port wins. */
export function addHosts(
  draft: AnsibleDraft,
  groupName: string,
  names: readonly string[],
  port: number | undefined,
  vars: Record<string, unknown>,
): void {
  const group = ensureGroup(draft, groupName);
  for (const name of names) {
    if (!draft.hostVars.has(name)) {
      draft.hostOrder.push(name);
      draft.hostVars.set(name, {});
    }
    if (!group.hosts.includes(name)) group.hosts.push(name);
    const own = draft.hostVars.get(name)!;
    if (port !== undefined) own.ansible_port = port;
    Object.assign(own, vars);
  }
}

export function addChild(draft: AnsibleDraft, parent: string, child: string): void {
  const group = ensureGroup(draft, parent);
  if (!group.children.includes(child)) group.children.push(child);
}
