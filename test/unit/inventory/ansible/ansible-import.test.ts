import { describe, expect, it } from 'vitest';
import { ErrorCode, ValidationError } from '../../../../src/errors/index.js';
import { buildAnsibleInventory } from '../../../../src/inventory/ansible/build-ansible-inventory.js';
import { parseAnsibleIni } from '../../../../src/inventory/ansible/parse-ansible-ini.js';
import { parseAnsibleYaml } from '../../../../src/inventory/ansible/parse-ansible-yaml.js';
import type { InventoryData } from '../../../../src/inventory/inventory-data.js';
import { thrownBy } from '../../../support/refusal.js';

const ini = (text: string): InventoryData =>
  buildAnsibleInventory(parseAnsibleIni(text, 'hosts.ini'), 'hosts.ini');
const yml = (text: string): InventoryData =>
  buildAnsibleInventory(parseAnsibleYaml(text, 'hosts.yml'), 'hosts.yml');
const host = (inv: InventoryData, name: string) => inv.hosts.find((h) => h.name === name)!;

function refusal(fn: () => unknown): ValidationError {
  const err = thrownBy(ValidationError, fn);
  expect(err.code).toBe(ErrorCode.InvalidInventory);
  return err;
}

describe('Ansible INI inventory', () => {
  it('reads groups, children, vars, comments and ungrouped hosts', () => {
    const inv = ini(`
# comment
; another comment
lonely ansible_host=10.0.0.9

[web]
web1 ansible_host=10.0.0.1 ansible_port=2222 ansible_user=www
web2:2200

[db]
db1

[prod:children]
web
db  # trailing comment

[prod:vars]
region=us-east-1
`);
    expect(inv.hosts.map((h) => h.name)).toEqual(['lonely', 'web1', 'web2', 'db1']);
    expect(host(inv, 'lonely')).toMatchObject({ address: '10.0.0.9', groups: ['ungrouped'] });
    expect(host(inv, 'web1')).toMatchObject({
      address: '10.0.0.1',
      port: 2222,
      user: 'www',
      region: 'us-east-1',
      groups: ['prod', 'web'],
    });
    expect(host(inv, 'web2')).toMatchObject({ address: 'web2', port: 2200, user: 'root' });
    expect(inv.groups.find((g) => g.name === 'prod')!.hosts).toEqual(['web1', 'web2', 'db1']);
  });

  it('layers vars: host over child group over parent group over all', () => {
    const inv = ini(`
[leaf]
h1
h2 x=host
[mid:children]
leaf
[top:children]
mid
[top:vars]
x=top
y=top
z=top
[mid:vars]
x=mid
y=mid
[leaf:vars]
x=leaf
[all:vars]
x=all
w=all
`);
    expect(host(inv, 'h1').vars).toEqual({ x: 'leaf', y: 'mid', z: 'top', w: 'all' });
    expect(host(inv, 'h2').vars).toMatchObject({ x: 'host' });
  });

  it('breaks ties between groups of the same depth by name, as Ansible does', () => {
    const inv = ini('[b]\nh\n[a]\nh\n[a:vars]\nv=a\n[b:vars]\nv=b\n');
    expect(host(inv, 'h').vars.v).toBe('b');
  });

  it('a host line defined later updates the host, and a later group keeps it out of ungrouped', () => {
    const inv = ini('h1 a=1\n[g]\nh1 b=2\n');
    expect(host(inv, 'h1')).toMatchObject({ groups: ['g'], vars: { a: 1, b: 2 } });
    expect(inv.groups.find((g) => g.name === 'ungrouped')!.hosts).toEqual([]);
  });

  it('types inline values like literal_eval and honours a tags list', () => {
    const inv = ini(`h port=80 ok=True name='007' tags="['a', 'b']" text=hello`);
    expect(host(inv, 'h').vars).toEqual({ port: 80, ok: true, name: '007', tags: ['a', 'b'], text: 'hello' });
    expect(host(inv, 'h').tags).toEqual(['a', 'b']);
    expect(host(ini('h tags=a,b'), 'h').tags).toEqual(['a', 'b']);
  });

  it('never carries connection passwords into Marshal', () => {
    const inv = ini('h ansible_password=s3cret\n[all:vars]\nansible_become_password=hunter2\n');
    expect(JSON.stringify(inv)).not.toMatch(/s3cret|hunter2/);
  });

  it('maps a clear ProxyJump and warns on an unclear one', () => {
    const inv = ini(`bastion ansible_host=192.0.2.1
a ansible_ssh_common_args='-o ProxyJump=bastion'
b ansible_ssh_common_args='-o ProxyJump=192.0.2.1'
c ansible_ssh_extra_args='-J nowhere'
d ansible_ssh_common_args='-J admin@bastion'
`);
    expect(host(inv, 'a').jump).toBe('bastion');
    expect(host(inv, 'b').jump).toBe('bastion');
    expect(host(inv, 'c').jump).toBeUndefined();
    expect(host(inv, 'd').jump).toBeUndefined();
    expect(host(inv, 'c').vars.ansible_ssh_extra_args).toBe('-J nowhere');
    expect(inv.warnings).toEqual([
      "c: jump host 'nowhere' not mapped (no inventory host has that name or address); kept in its vars",
      "d: jump host 'admin@bastion' not mapped (user 'admin' differs from bastion's user 'root'); kept in its vars",
    ]);
  });

  it('refuses broken files naming the line', () => {
    expect(refusal(() => ini('[web]\nh1 novalue\n')).message).toContain(
      "line 2: expected key=value after the host name, got 'novalue'",
    );
    expect(refusal(() => ini('[web:host]\nh1\n')).message).toContain(
      "line 1: section [web:host] has unknown type 'host'",
    );
    expect(refusal(() => ini('[web servers]\nh1\n')).message).toContain('line 1: invalid section');
    expect(refusal(() => ini('[p:children]\nghost\n')).message).toContain(
      "line 2: child group 'ghost' is never defined",
    );
    expect(refusal(() => ini('[ghost:vars]\na=1\n')).message).toContain(
      'line 1: [ghost:vars] is for a group that no',
    );
    expect(refusal(() => ini('[web]\nweb[01:3]\n')).message).toContain('line 2: range in');
    expect(refusal(() => ini('[web]\nh a="x\n')).message).toContain('line 2: cannot split host line');
    expect(refusal(() => ini('[a:children]\nb\n[b:children]\na\n')).message).toContain(
      'group cycle: a → b → a',
    );
  });

  it('refuses connection fields it cannot use', () => {
    expect(refusal(() => ini('h ansible_port=ssh')).message).toContain(
      'hostvars.h.ansible_port: expected integer 1..65535, got "ssh"',
    );
    expect(refusal(() => ini('h ansible_host="{{ inventory_hostname }}.x"')).message).toContain(
      'is a Jinja template',
    );
  });
});

describe('Ansible YAML inventory', () => {
  it('reads nested children, host vars, ranges and ports', () => {
    const inv = yml(`
all:
  vars: { ansible_user: ops, who: all }
  hosts:
    solo:
  children:
    web:
      hosts:
        web[01:02]:
          role: web
        web9:2222:
      vars: { who: web }
      children:
        canary:
          hosts:
            web01: { who: host }
    db:
      hosts:
        db-[a:b]:
`);
    expect(inv.hosts.map((h) => h.name)).toEqual(['solo', 'web01', 'web02', 'web9', 'db-a', 'db-b']);
    expect(host(inv, 'web01')).toMatchObject({
      user: 'ops',
      role: 'web',
      groups: ['web', 'canary'],
      vars: { who: 'host' },
    });
    expect(host(inv, 'web9')).toMatchObject({ port: 2222, vars: { who: 'web' } });
    expect(host(inv, 'solo').groups).toEqual(['ungrouped']);
  });

  it('reads yes/no as booleans like PyYAML', () => {
    expect(host(yml('all:\n  hosts:\n    h:\n      flag: yes\n'), 'h').vars.flag).toBe(true);
  });

  it('refuses what Ansible would silently skip, naming the path', () => {
    expect(refusal(() => yml('all:\n  children:\n    web:\n      host:\n        h1:\n')).message).toContain(
      "all.children.web.host: unknown key 'host'; did you mean 'hosts'?",
    );
    expect(refusal(() => yml('web:\n  hosts:\n    h1: 5\n')).message).toContain(
      "web.hosts.h1: expected the host's variables as a mapping, got 5",
    );
    expect(refusal(() => yml('plugin: aws_ec2\n')).message).toContain('inventory plugin configuration');
  });
});
