import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarshalError } from '../../../src/errors/index.js';
import { ErrorCode } from '../../../src/errors/index.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';

const run = promisify(execFile);
const PRODUCTION = 'test/fixtures/ansible/production/hosts.ini';
const STAGING = 'test/fixtures/ansible/staging/hosts.yml';
/** Connection secrets Marshal drops on purpose; Ansible keeps them. */
const DROPPED = ['ansible_become_password'];

/** What real Ansible makes of an inventory: `ansible-inventory --list`, host vars and group members. */
async function ansibleView(path: string) {
  const { stdout } = await run('ansible-inventory', ['-i', path, '--list'], {
    env: { ...process.env, ANSIBLE_HOME: tmpdir() },
  });
  const data = JSON.parse(stdout) as Record<string, { hosts?: string[]; children?: string[] }> & {
    _meta: { hostvars: Record<string, Record<string, unknown>> };
  };
  return data;
}

describe('loadInventory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marshal-inventory-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the example Marshal inventory', async () => {
    const inv = await loadInventory('examples/inventory.yaml');
    expect(inv.format).toBe('marshal-yaml');
    expect(inv.select('role=web region=us-east-1').map((h) => h.name)).toEqual(['web-01', 'web-02']);
  });

  it.each([PRODUCTION, STAGING])(
    'gives every host of %s the same variables and groups as ansible-inventory',
    async (path) => {
      const [inv, ansible] = await Promise.all([loadInventory(path), ansibleView(path)]);
      const hostvars = ansible._meta.hostvars;
      expect(
        inv
          .hosts()
          .map((h) => h.name)
          .sort(),
      ).toEqual(Object.keys(hostvars).sort());
      for (const host of inv.hosts()) {
        const expected = Object.fromEntries(
          Object.entries(hostvars[host.name]!).filter(([k]) => !DROPPED.includes(k)),
        );
        expect(host.vars, host.name).toEqual(expected);
      }
      const membersOf = (group: string): string[] => {
        const g = ansible[group] ?? {};
        return [...(g.hosts ?? []), ...(g.children ?? []).flatMap(membersOf)];
      };
      for (const group of inv.groups()) {
        expect(new Set(group.hosts), group.name).toEqual(new Set(membersOf(group.name)));
      }
    },
  );

  it('maps the production fixture end to end and selects from it', async () => {
    const inv = await loadInventory(PRODUCTION);
    expect(inv.format).toBe('ansible-ini');
    expect(inv.hosts()).toHaveLength(14);
    expect(inv.get('web01.prod.example.com')).toMatchObject({
      address: 'web01.prod.example.com',
      port: 22,
      user: 'deploy',
      region: 'us-east-1',
      role: 'web',
      jump: 'bastion.prod.example.com',
      groups: ['datacenter', 'us_east', 'webservers'],
    });
    expect(inv.get('app-z.prod.example.com')).toMatchObject({ port: 2222, jump: 'bastion.prod.example.com' });
    expect(inv.get('db05.prod.example.com')).toMatchObject({
      port: 5522,
      role: 'db',
      region: 'eu-west-1',
      tags: ['critical', 'pci'],
    });
    expect(inv.get('dbold.prod.example.com').jump).toBeUndefined();
    expect(inv.warnings).toEqual([
      "dbold.prod.example.com: jump host not mapped ('jump1,jump2' is a multi-hop chain); kept in its vars",
    ]);
    expect(JSON.stringify(inv.hosts())).not.toContain('hunter2');

    expect(inv.select('webservers !tag=canary').map((h) => h.name)).toEqual([
      'web01.prod.example.com',
      'web02.prod.example.com',
      'web03.prod.example.com',
      'web04.prod.example.com',
    ]);
    expect(inv.select('db[0-9]*.prod.example.com,ungrouped').map((h) => h.name)).toEqual([
      'bastion.prod.example.com',
      'db00.prod.example.com',
      'db05.prod.example.com',
      'db10.prod.example.com',
    ]);
    expect(inv.select('us_east var.http_port=80').map((h) => h.name)).toEqual([
      'app-a.prod.example.com',
      'app-b.prod.example.com',
      'app-c.prod.example.com',
      'app-z.prod.example.com',
    ]);
    expect(() => inv.select('eu_west role=web')).toThrow(
      expect.objectContaining({ code: ErrorCode.NoHostsMatched }) as Error,
    );
  });

  it('refuses a missing file, a directory, and a broken file, naming the path', async () => {
    await expect(loadInventory(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: no such file/);
    await expect(loadInventory(dir)).rejects.toThrow(/is a directory/);
    const broken = join(dir, 'inventory.yaml');
    await writeFile(broken, 'hosts:\n  web-01:\n    port: ssh\n');
    const err = (await loadInventory(broken).catch((e: unknown) => e)) as MarshalError;
    expect(err.code).toBe(ErrorCode.InvalidInventory);
    expect(err.message).toContain('hosts.web-01.port: expected integer 1..65535, got "ssh"');
  });
});
