import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../src/config/invalid-config-error.js';
import { loadMarshalConfig, parseMarshalConfig } from '../../../src/config/marshal-config.js';

describe("Marshal's config file", () => {
  it('loads the shipped example and makes the inventory path absolute', async () => {
    const config = await loadMarshalConfig(join(import.meta.dirname, '../../../examples/marshal.yaml'));
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
});
