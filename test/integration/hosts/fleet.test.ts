import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/hosts/quote.js';
import { SshFleet } from '../../../src/local/fleet/index.js';
import { processesInNamespaces } from '../../../src/local/fleet/namespace-processes.js';
import { executorFor } from './fleet-executor.js';

describe('SshFleet', () => {
  const started: SshFleet[] = [];
  afterAll(async () => {
    await Promise.all(started.map((f) => f.stopAll()));
  });

  it('on a non-22 port writes [addr]:port known_hosts entries that the executor accepts', async () => {
    const fleet = await SshFleet.start({ count: 2, name: 'port', port: 2222 });
    started.push(fleet);
    const lines = readFileSync(fleet.knownHostsPath, 'utf8').trim().split('\n');
    lines.forEach((line, i) =>
      expect(line.startsWith(`[${fleet.hosts[i]!.address}]:2222 ssh-ed25519 `)).toBe(true),
    );
    const ssh = executorFor(fleet);
    try {
      const r = await Promise.all(fleet.hosts.map((h) => ssh.exec(h, sh`echo $SSH_CONNECTION`)));
      r.forEach((x, i) => expect(x.stdout.trim().endsWith(`${fleet.hosts[i]!.address} 2222`)).toBe(true));
    } finally {
      await ssh.close();
    }
  });

  it('stopAll leaves no process and no file behind, even with sessions running', async () => {
    const fleet = await SshFleet.start({ count: 2, name: 'teardown' });
    const ssh = executorFor(fleet);
    const running = fleet.hosts.map((h) => ssh.exec(h, sh`sleep 60`).catch((e: unknown) => e));
    await ssh.exec(fleet.hosts[0]!, sh`true`);
    const namespaces = new Set(fleet.hosts.flatMap((h) => [...fleet.member(h).namespaces]));
    expect(namespaces.size).toBe(2);
    expect([...processesInNamespaces(namespaces, 'any-owner').values()].flat().length).toBeGreaterThan(2);
    await fleet.stopAll();
    await Promise.all(running);
    await ssh.close();
    expect(processesInNamespaces(namespaces, 'any-owner').size).toBe(0);
    expect(existsSync(fleet.dir)).toBe(false);
  });
});
