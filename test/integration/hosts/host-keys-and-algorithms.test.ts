import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/hosts/quote.js';
import { HostKeyRejected, SshNegotiationFailed } from '../../../src/hosts/errors/index.js';
import { LEGACY_ONLY_SSHD_ALGORITHMS, SshFleet } from '../../../src/local/fleet/index.js';
import { executorFor } from './fleet-executor.js';

describe('host key verification and algorithms against real sshd', () => {
  let fleet: SshFleet;
  let legacy: SshFleet;

  beforeAll(async () => {
    [fleet, legacy] = await Promise.all([
      SshFleet.start({ count: 3, name: 'keys' }),
      SshFleet.start({ count: 1, name: 'legacy', sshdOverrides: LEGACY_ONLY_SSHD_ALGORITHMS }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([fleet?.stopAll(), legacy?.stopAll()]);
  });

  it('refuses a host whose key is not in known_hosts before any command runs', async () => {
    const [known, unknown] = [fleet.hosts[0]!, fleet.hosts[1]!];
    const lines = readFileSync(fleet.knownHostsPath, 'utf8').split('\n');
    const knownHosts = `${fleet.dir}/known_hosts.partial`;
    writeFileSync(knownHosts, lines.filter((l) => !l.startsWith(`${unknown.address} `)).join('\n'));
    const ssh = executorFor(fleet, { knownHostsPath: knownHosts });
    try {
      const err = await ssh.exec(unknown, sh`touch /tmp/ran`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostKeyRejected);
      const e = err as HostKeyRejected;
      expect(e.retryable).toBe(false);
      expect(e.context).toMatchObject({ host: unknown.name, verdict: 'unknown' });
      expect(e.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
      expect(existsSync(fleet.localPath(unknown, '/tmp/ran'))).toBe(false);
      expect((await ssh.exec(known, sh`touch /tmp/ran`)).exitCode).toBe(0);
      expect(existsSync(fleet.localPath(known, '/tmp/ran'))).toBe(true);
    } finally {
      await ssh.close();
    }
  });

  it('refuses a changed host key before any command runs', async () => {
    const host = fleet.hosts[2]!;
    await fleet.changeHostKey(host);
    const ssh = executorFor(fleet);
    try {
      const err = await ssh.exec(host, sh`touch /tmp/changed-ran`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostKeyRejected);
      expect((err as HostKeyRejected).context).toMatchObject({ host: host.name, verdict: 'changed' });
      expect(existsSync(fleet.localPath(host, '/tmp/changed-ran'))).toBe(false);
    } finally {
      await ssh.close();
    }
  });

  it('accepts an unknown host only with trust-on-first-use, and records its key', async () => {
    const host = fleet.hosts[1]!;
    const knownHosts = `${fleet.dir}/known_hosts.tofu`;
    writeFileSync(knownHosts, '');
    const ssh = executorFor(fleet, { knownHostsPath: knownHosts, trustOnFirstUse: true });
    try {
      expect((await ssh.exec(host, sh`true`)).exitCode).toBe(0);
      expect(readFileSync(knownHosts, 'utf8')).toBe(`${fleet.member(host).knownHostsLine()}\n`);
    } finally {
      await ssh.close();
    }
  });

  it('refuses a server that offers only legacy algorithms (SHA-1 kex, CBC, hmac-sha1)', async () => {
    const ssh = executorFor(legacy);
    try {
      const host = legacy.hosts[0]!;
      const err = await ssh.exec(host, sh`touch /tmp/legacy-ran`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SshNegotiationFailed);
      expect((err as SshNegotiationFailed).retryable).toBe(false);
      expect(existsSync(legacy.localPath(host, '/tmp/legacy-ran'))).toBe(false);
    } finally {
      await ssh.close();
    }
  });
});
