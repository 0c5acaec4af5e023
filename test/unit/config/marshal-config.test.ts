import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../src/config/invalid-config-error.js';
import { loadMarshalConfig, parseMarshalConfig } from '../../../src/config/marshal-config.js';

/** A home directory with `~/.ssh/id_ed25519` and `~/.ssh/known_hosts` (empty: their content is the SSH layer's). */
function homeWithSshFiles(): string {
  const home = mkdtempSync(join(tmpdir(), 'marshal-home-'));
  mkdirSync(join(home, '.ssh'));
  writeFileSync(join(home, '.ssh', 'id_ed25519'), '', { mode: 0o600 });
  writeFileSync(join(home, '.ssh', 'known_hosts'), '');
  return home;
}

describe("Marshal's config file", () => {
  const realHome = process.env.HOME;
  afterEach(() => {
    process.env.HOME = realHome;
  });

  it('loads the shipped example and makes the inventory path absolute, ~/ from the home directory', async () => {
    process.env.HOME = homeWithSshFiles();
    const config = await loadMarshalConfig(join(import.meta.dirname, '../../../examples/marshal.yaml'));
    expect(config.ssh?.privateKey).toBe(join(process.env.HOME, '.ssh', 'id_ed25519'));
    expect(config.inventory).toBe(join(import.meta.dirname, '../../../examples/inventory.yaml'));
    expect(config.workflows).toEqual([join(import.meta.dirname, '../../../examples/workflows')]);
    expect(config.access.workflows['config-push']).toEqual({
      start: ['S0123ABCD'],
      approve: ['S0456EFGH', 'U012AB3CD'],
    });
    expect(Object.isFrozen(config.access.workflows['config-push']!.approve)).toBe(true);
  });

  it('names the bad field and the rule it breaks', () => {
    const doc = {
      inventory: 'inv.yaml',
      access: { workflows: { 'config-push': { start: ['alice'], aprove: [] } } },
    };
    try {
      parseMarshalConfig(doc, 'marshal.yaml', '/etc');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidConfigError);
      const problems = (err as InvalidConfigError).problems;
      expect(problems).toContainEqual(
        expect.objectContaining({
          where: 'access.workflows.config-push.start[0]',
          problem: expect.stringContaining('Slack user id'),
        }),
      );
      expect(problems).toContainEqual(
        expect.objectContaining({
          where: 'access.workflows.config-push',
          problem: expect.stringContaining('aprove'),
        }),
      );
    }
  });

  it('takes a load balancer: an HAProxy stats socket, relative to the file', () => {
    const base = { inventory: 'inv.yaml', access: { workflows: {} } };
    const unix = parseMarshalConfig(
      { ...base, loadBalancer: { haproxy: { socket: 'run/admin.sock' } } },
      'm',
      '/etc/marshal',
    );
    expect(unix.loadBalancer).toEqual({ haproxy: { socket: '/etc/marshal/run/admin.sock' } });
    expect(parseMarshalConfig(base, 'm', '/etc').loadBalancer).toBeUndefined();
    expect(() =>
      parseMarshalConfig({ ...base, loadBalancer: { haproxy: { port: 9999 } } }, 'm', '/etc'),
    ).toThrow(InvalidConfigError);
  });

  it('refuses YAML that does not parse, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'marshal-config-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'inventory: [unclosed\n');
    await expect(loadMarshalConfig(path)).rejects.toThrowError(
      expect.objectContaining({
        code: 'invalid_config',
        message: expect.stringContaining('Fix the YAML syntax'),
      }),
    );
    await expect(loadMarshalConfig(join(dir, 'missing.yaml'))).rejects.toThrowError(/cannot be read/);
  });

  it('checks every file the config names when it loads, naming the field and the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'marshal-config-'));
    const path = join(dir, 'marshal.yaml');
    writeFileSync(
      path,
      [
        'inventory: hosts.yaml',
        'bundles: bundles',
        'workflows: [./mine]',
        'ssh: { privateKey: keys/id_ed25519, knownHosts: keys/known_hosts }',
      ].join('\n'),
    );
    const err = await loadMarshalConfig(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidConfigError);
    const problems = (err as InvalidConfigError).problems.map((p) => [p.where, p.problem]);
    expect(problems).toEqual([
      ['inventory', `${join(dir, 'hosts.yaml')} does not exist`],
      ['bundles', `${join(dir, 'bundles')} does not exist`],
      ['workflows[0]', `${join(dir, 'mine')} does not exist`],
      ['ssh.privateKey', `${join(dir, 'keys', 'id_ed25519')} does not exist`],
      ['ssh.knownHosts', `${join(dir, 'keys', 'known_hosts')} does not exist`],
    ]);
    // The wrong kind of thing is named too; and trust on first use needs only known_hosts' directory.
    mkdirSync(join(dir, 'keys', 'id_ed25519'), { recursive: true });
    mkdirSync(join(dir, 'bundles'));
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'hosts.yaml'), 'version: 1');
    writeFileSync(
      path,
      [
        'inventory: hosts.yaml',
        'workflows: [./mine]',
        'ssh: { privateKey: keys/id_ed25519, knownHosts: keys/known_hosts, trustOnFirstUse: true }',
      ].join('\n'),
    );
    const again = await loadMarshalConfig(path).catch((e: unknown) => e);
    expect((again as InvalidConfigError).problems.map((p) => [p.where, p.problem])).toEqual([
      ['ssh.privateKey', `${join(dir, 'keys', 'id_ed25519')} is not a file`],
    ]);
  });
});
