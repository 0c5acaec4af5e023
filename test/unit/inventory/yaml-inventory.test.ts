import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ValidationError } from '../../../src/errors/index.js';
import { parseMarshalInventory } from '../../../src/inventory/yaml-inventory.js';
import { thrownBy } from '../../support/refusal.js';

function refusal(text: string): ValidationError {
  const err = thrownBy(ValidationError, () => parseMarshalInventory(text, 'test.yaml'));
  expect(err.code).toBe(ErrorCode.InvalidInventory);
  return err;
}

describe('Marshal YAML inventory', () => {
  it('parses the shipped example with defaults, jump hosts and layered group vars', () => {
    const inv = parseMarshalInventory(
      readFileSync('examples/inventory.yaml', 'utf8'),
      'examples/inventory.yaml',
    );
    expect(inv.hosts.map((h) => h.name)).toEqual([
      'bastion-use1',
      'web-01',
      'web-02',
      'api-01',
      'db-01',
      'web-eu-01',
    ]);
    const web01 = inv.hosts[1]!;
    expect(web01).toMatchObject({
      address: '10.10.1.11',
      port: 22,
      user: 'deploy',
      region: 'us-east-1',
      role: 'web',
      tags: ['frontend', 'canary'],
      jump: 'bastion-use1',
      groups: ['frontend', 'webservers'],
    });
    expect(web01.vars).toEqual({ ntp_server: 'ntp.internal.example.com', http_port: 8080 });
    const api = inv.hosts.find((h) => h.name === 'api-01')!;
    expect(api.vars).toEqual({ ntp_server: 'ntp.internal.example.com', http_port: 80, workers: 8 });
    const db = inv.hosts.find((h) => h.name === 'db-01')!;
    expect(db).toMatchObject({ port: 2222, user: 'postgres', groups: ['databases'] });
    expect(inv.groups.find((g) => g.name === 'frontend')!.hosts).toEqual([
      'web-01',
      'web-02',
      'api-01',
      'web-eu-01',
    ]);
  });

  it('reaches a host with no body by its name, on port 22 as root', () => {
    const inv = parseMarshalInventory('hosts:\n  web-01:\n', 't');
    expect(inv.hosts[0]).toMatchObject({
      name: 'web-01',
      address: 'web-01',
      port: 22,
      user: 'root',
      groups: [],
    });
  });

  it('names the exact path and value of a bad port', () => {
    const err = refusal('hosts:\n  web-01:\n    address: 10.0.0.1\n    port: ssh\n');
    expect(err.message).toContain('hosts.web-01.port: expected integer 1..65535, got "ssh"');
    expect(err.issues).toEqual([
      { path: 'hosts.web-01.port', message: 'expected integer 1..65535, got "ssh"' },
    ]);
  });

  it('refuses an out-of-range port and a misspelt key with a suggestion', () => {
    const err = refusal('hosts:\n  web-01:\n    adress: 10.0.0.1\n    port: 70000\n');
    expect(err.message).toContain('hosts.web-01.port: expected integer 1..65535, got 70000');
    expect(err.message).toContain("hosts.web-01.adress: unknown key 'adress'; did you mean 'address'?");
  });

  it('refuses a wrong type with what was expected', () => {
    const err = refusal('hosts:\n  web-01:\n    tags: frontend\n');
    expect(err.message).toContain('hosts.web-01.tags: expected a list, got "frontend"');
  });

  it('refuses a host name that could not be written in a selector', () => {
    const err = refusal('hosts:\n  "web 01":\n');
    expect(err.message).toContain('web 01');
  });

  it('refuses a jump host that does not exist, suggesting the close one', () => {
    const err = refusal('hosts:\n  bastion:\n  web-01:\n    jump: bastian\n');
    expect(err.issues).toEqual([
      { path: 'hosts.web-01.jump', message: "no host named 'bastian'; did you mean 'bastion'?" },
    ]);
  });

  it('refuses jump hosts that loop', () => {
    const err = refusal('hosts:\n  a:\n    jump: b\n  b:\n    jump: a\n');
    expect(err.message).toContain('jump hosts loop: a → b → a');
  });

  it('refuses a group member or child group that does not exist', () => {
    const err = refusal(
      'hosts:\n  web-01:\ngroups:\n  web:\n    hosts: [web-01, web-02]\n    children: [dbs]\n',
    );
    expect(err.issues.map((i) => i.path)).toEqual(['groups.web.hosts[1]', 'groups.web.children[0]']);
    expect(err.message).toContain("no host named 'web-02'; did you mean 'web-01'?");
  });

  it('refuses a group cycle, naming the loop', () => {
    const err = refusal(
      'hosts:\n  h1:\ngroups:\n  a:\n    children: [b]\n  b:\n    children: [c]\n  c:\n    hosts: [h1]\n    children: [a]\n',
    );
    expect(err.message).toContain('group cycle: a → b → c → a');
  });

  it('refuses a group named like a host, and a group named all', () => {
    const err = refusal('hosts:\n  web:\ngroups:\n  web:\n    hosts: [web]\n  all:\n    hosts: [web]\n');
    expect(err.issues.map((i) => i.path)).toEqual(['groups.web', 'groups.all']);
  });

  it('refuses duplicate hosts and YAML syntax errors with the line', () => {
    expect(refusal('hosts:\n  web-01:\n  web-01:\n').message).toMatch(
      /line \d+: not valid YAML: Map keys must be unique/,
    );
    expect(refusal('hosts: [\n').message).toMatch(/not valid YAML/);
  });

  it('reads no as a string, not a boolean (YAML 1.2)', () => {
    const inv = parseMarshalInventory('hosts:\n  h:\n    vars: { country: no }\n', 't');
    expect(inv.hosts[0]!.vars).toEqual({ country: 'no' });
  });
});
