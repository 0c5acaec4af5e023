import { copyFileSync, existsSync, appendFileSync, readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostKeyRejected } from '../../../src/hosts/errors/index.js';
import { sh } from '../../../src/hosts/quote.js';
import { SshExecutor } from '../../../src/hosts/ssh/index.js';
import { SshFleet } from '../../../src/local/fleet/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { executorFor } from './fleet-executor.js';

/**
 * The executor's connection pool against real sshd: one connection per host carries every pass of a
 * push (pre-check, steps, cleanup), a host key revoked in known_hosts stops reuse at once, and a caller
 * whose attempt was aborted stops waiting without leaking its place.
 */
describe('SSH connection reuse', { timeout: 120_000 }, () => {
  let fleet: SshFleet;

  beforeAll(async () => {
    fleet = await SshFleet.start({ count: 2, name: 'reuse' });
  });
  afterAll(async () => {
    await fleet?.stopAll();
  });

  it('runs many commands and a transfer on one host over one connection', async () => {
    const opened: string[] = [];
    const ssh = new SshExecutor(
      { knownHostsPath: fleet.knownHostsPath, privateKeyPath: fleet.privateKeyPath },
      { logger: silentLogger(), onConnection: (outcome, host) => opened.push(`${outcome} ${host.name}`) },
    );
    const host = fleet.hosts[0]!;
    try {
      for (let i = 0; i < 5; i++) expect((await ssh.exec(host, sh`true`)).exitCode).toBe(0);
      await ssh.upload(host, { path: '/tmp/reuse.txt', content: 'x', mode: 0o644 });
      await Promise.all(Array.from({ length: 6 }, () => ssh.exec(host, sh`true`)));
      expect(opened).toEqual([`opened ${host.name}`]);
      expect(ssh.openConnections).toBe(1);
    } finally {
      await ssh.close();
    }
  });

  it('stops reusing a connection whose host key was revoked in known_hosts since, before any command runs', async () => {
    const host = fleet.hosts[1]!;
    const knownHosts = `${fleet.dir}/known_hosts.revoke`;
    copyFileSync(fleet.knownHostsPath, knownHosts);
    const ssh = executorFor(fleet, { knownHostsPath: knownHosts });
    try {
      expect((await ssh.exec(host, sh`true`)).exitCode).toBe(0);
      expect(ssh.openConnections).toBe(1);
      appendFileSync(knownHosts, `@revoked ${fleet.member(host).knownHostsLine()}\n`);
      const err = await ssh.exec(host, sh`touch /tmp/revoked-ran`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostKeyRejected);
      expect((err as HostKeyRejected).context).toMatchObject({ host: host.name, verdict: 'revoked' });
      expect(existsSync(fleet.localPath(host, '/tmp/revoked-ran'))).toBe(false);
      // A new connection is refused in its handshake too.
      const again = await ssh.exec(host, sh`touch /tmp/revoked-ran`).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(HostKeyRejected);
      expect(existsSync(fleet.localPath(host, '/tmp/revoked-ran'))).toBe(false);
    } finally {
      await ssh.close();
    }
  });

  it('lets an aborted caller stop waiting for a channel at once, and keeps the pool usable', async () => {
    const host = fleet.hosts[0]!;
    const ssh = executorFor(fleet, { maxChannelsPerConnection: 1 });
    try {
      let busyDone = false;
      const busy = ssh.exec(host, sh`sleep 1.5; echo done`).finally(() => (busyDone = true));
      // Let the first command take the only channel.
      await new Promise((r) => setTimeout(r, 300));
      const attempt = new AbortController();
      const reason = new Error('attempt superseded');
      const waiting = ssh.exec(host, sh`touch /tmp/aborted-ran`, { signal: attempt.signal });
      setTimeout(() => attempt.abort(reason), 100);
      await expect(waiting).rejects.toBe(reason);
      // It gave up while the channel was still taken, not when it came free.
      expect(busyDone).toBe(false);
      expect((await busy).stdout.trim()).toBe('done');
      expect(existsSync(fleet.localPath(host, '/tmp/aborted-ran'))).toBe(false);
      // Its place was given back: the channel is free for the next caller on the same connection.
      expect((await ssh.exec(host, sh`true`)).exitCode).toBe(0);
      expect(ssh.openConnections).toBe(1);
    } finally {
      await ssh.close();
    }
  });

  it('starts a command once more, on a new connection, when the pooled one died before it started', async () => {
    const host = fleet.hosts[1]!;
    const opened: string[] = [];
    const ssh = new SshExecutor(
      { knownHostsPath: fleet.knownHostsPath, privateKeyPath: fleet.privateKeyPath },
      { logger: silentLogger(), onConnection: (outcome, h) => opened.push(`${outcome} ${h.name}`) },
    );
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, called with its own `this`
    const realExec = Client.prototype.exec;
    try {
      expect((await ssh.exec(host, sh`true`)).exitCode).toBe(0);
      // The connection's socket dies just before the next command, before ssh2 has told anyone: ssh2's own
      // exec then throws 'Not connected', as it did on a loaded fleet (bench os-upgrade at 200 hosts).
      let killed = false;
      Client.prototype.exec = function (this: Client, ...args: unknown[]): Client {
        if (!killed) {
          killed = true;
          (this as unknown as { _sock: { destroy(): void } })._sock.destroy();
        }
        return (realExec as unknown as (...a: unknown[]) => Client).apply(this, args);
      };
      const result = await ssh.exec(host, sh`echo ran >> /tmp/dead-pooled.log; echo ok`);
      expect(killed).toBe(true);
      expect(result.stdout.trim()).toBe('ok');
      // Run once, on a second connection.
      expect(readFileSync(fleet.localPath(host, '/tmp/dead-pooled.log'), 'utf8')).toBe('ran\n');
      expect(opened).toEqual([`opened ${host.name}`, `opened ${host.name}`]);
    } finally {
      Client.prototype.exec = realExec;
      await ssh.close();
    }
  });
});
