import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/hosts/quote.js';
import { waitUntilReachable, type SshExecutor } from '../../../src/hosts/ssh/index.js';
import { CommandTimeout, HostUnreachable } from '../../../src/hosts/errors/index.js';
import type { Host } from '../../../src/hosts/host.js';
import { SshFleet } from '../../../src/local/fleet/index.js';
import { executorFor } from './fleet-executor.js';

describe('failures, reboots, jumps and injection on real sshd hosts', () => {
  let fleet: SshFleet;
  let ssh: SshExecutor;

  beforeAll(async () => {
    fleet = await SshFleet.start({ count: 5, name: 'fail' });
    ssh = executorFor(fleet, { keepaliveIntervalMs: 500, keepaliveCountMax: 2, readyTimeoutMs: 5000 });
  });
  afterAll(async () => {
    await ssh?.close();
    await fleet?.stopAll();
  });

  it('reports a command whose host is stopped mid-run as HostUnreachable, never as success', async () => {
    const host = fleet.hosts[0]!;
    const running = ssh.exec(host, sh`touch /tmp/started; sleep 30; echo done`);
    const settled = running.catch((e: unknown) => e);
    while (!existsSync(fleet.localPath(host, '/tmp/started'))) await new Promise((r) => setTimeout(r, 20));
    await fleet.stop(host);
    const err = await settled;
    expect(err).toBeInstanceOf(HostUnreachable);
    expect((err as HostUnreachable).retryable).toBe(true);
    expect((err as HostUnreachable).context.host).toBe(host.name);
    await expect(ssh.exec(host, sh`true`)).rejects.toBeInstanceOf(HostUnreachable);
    await fleet.start(host);
    expect((await ssh.exec(host, sh`true`)).exitCode).toBe(0);
  });

  it('detects a frozen host by keepalive, long before the command timeout', async () => {
    const host = fleet.hosts[1]!;
    const running = ssh.exec(host, sh`touch /tmp/started; sleep 60`, { timeoutMs: 55_000 });
    const settled = running.catch((e: unknown) => e);
    while (!existsSync(fleet.localPath(host, '/tmp/started'))) await new Promise((r) => setTimeout(r, 20));
    fleet.freeze(host);
    try {
      const err = await settled;
      expect(err).toBeInstanceOf(HostUnreachable);
      expect(err).not.toBeInstanceOf(CommandTimeout);
    } finally {
      fleet.thaw(host);
    }
  });

  it('kills a slow command at its timeout and reports CommandTimeout', async () => {
    const host = fleet.hosts[2]!;
    fleet.install(
      host,
      'slow-thing',
      '#!/bin/sh\necho $$ > /tmp/slow.pid\nsleep 30\ntouch /tmp/slow-finished\n',
    );
    const err = await ssh.exec(host, sh`slow-thing`, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandTimeout);
    expect((err as CommandTimeout).context).toMatchObject({ host: host.name, timeoutMs: 500 });
    // The KILL is delivered asynchronously by sshd: wait for the script's process to disappear.
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      alive = (await ssh.exec(host, sh`kill -0 "$(cat /tmp/slow.pid)" 2>/dev/null`)).exitCode === 0;
    }
    expect(alive).toBe(false);
    expect(existsSync(fleet.localPath(host, '/tmp/slow-finished'))).toBe(false);
  });

  it('waits out a reboot: reachable again with a new boot id', async () => {
    const host = fleet.hosts[3]!;
    const before = (await ssh.exec(host, sh`cat /proc/sys/kernel/random/boot_id`)).stdout.trim();
    const rebooting = fleet.reboot(host, { downMs: 1500 });
    const after = await waitUntilReachable(ssh, host, { timeoutMs: 30_000, previousBootId: before });
    await rebooting;
    expect(after).not.toBe(before);
    expect(after).toBe(fleet.bootId(host));
  });

  // Through a jump host the target's connection is carried in the jump host's channel: this once failed
  // with "Invalid ssh2 packet type: 210" (ssh2's JavaScript chacha20-poly1305 shares its nonce buffers
  // between the two connections; see nestedConnectionAlgorithms), so it runs in every suite.
  it('works through a jump host, verifying both host keys', async () => {
    // A fleet of its own: the hosts above were stopped, frozen and rebooted, and none of that is this test's.
    const own = await SshFleet.start({ count: 2, name: 'jump' });
    const via = executorFor(own, { readyTimeoutMs: 5000 });
    try {
      const [jump, direct] = own.hosts as [Host, Host];
      const target = { ...direct, jump: jump.name };
      const r = await via.exec(target, sh`cat /proc/sys/kernel/random/boot_id`);
      expect(r.stdout.trim()).toBe(own.bootId(target));
      const { sha256 } = await via.upload(target, { path: '/tmp/via-jump', content: 'x' });
      expect((await via.exec(target, sh`sha256sum /tmp/via-jump`)).stdout.startsWith(sha256)).toBe(true);
      // Proof the route goes through the jump host: with it down, the target cannot be reached.
      await own.stop(jump);
      const fresh = executorFor(own, { readyTimeoutMs: 3000 });
      try {
        const err = await fresh.exec(target, sh`true`).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HostUnreachable);
        expect((await fresh.exec(direct, sh`true`)).exitCode).toBe(0);
      } finally {
        await fresh.close();
      }
    } finally {
      await via.close();
      await own.stopAll();
    }
  });

  const payloads = [
    ';id',
    '$(id)',
    '`id`',
    '| id',
    '&& id',
    "'; touch /tmp/pwned; '",
    '-oProxyCommand=touch /tmp/pwned',
    '*',
    '$HOME',
  ];

  it('runs nothing injected: touch creates files literally named the payloads; echo prints them', async () => {
    const host = fleet.hosts[0]!;
    await ssh.exec(host, sh`mkdir -p /tmp/inj`);
    for (const p of payloads) {
      const name = p.replace(/\//g, '_');
      const r = await ssh.exec(host, sh`cd /tmp/inj && touch -- ${name} && printf '%s' ${p}`);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(p);
    }
    const files = readdirSync(fleet.localPath(host, '/tmp/inj')).sort();
    expect(files).toEqual(payloads.map((p) => p.replace(/\//g, '_')).sort());
    expect(existsSync(fleet.localPath(host, '/tmp/pwned'))).toBe(false);
  });
});
