import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/hosts/quote.js';
import type { SshExecutor } from '../../../src/hosts/ssh/index.js';
import { TransferFailed } from '../../../src/hosts/errors/index.js';
import { SshFleet, debianOsRelease } from '../../../src/local/fleet/index.js';
import { executorFor } from './fleet-executor.js';

describe('SSH executor on 30 real sshd hosts', () => {
  let fleet: SshFleet;
  let ssh: SshExecutor;

  beforeAll(async () => {
    fleet = await SshFleet.start({
      count: 30,
      name: 'exec',
      osRelease: (i) => debianOsRelease(i % 2 ? 11 : 12),
    });
    ssh = executorFor(fleet);
  });
  afterAll(async () => {
    await ssh?.close();
    await fleet?.stopAll();
  });

  it('gives a command without stdin an empty one (it never waits for input) and keeps its own exit and comments', async () => {
    const h = fleet.hosts[0]!;
    // `cat` ends at once on an empty stdin; the trailing comment must not swallow what Marshal adds after it.
    const read = await ssh.exec(h, sh`cat; printf '%s' ${'read nothing'}; exit 4 # done`, {
      timeoutMs: 20_000,
    });
    expect(read).toMatchObject({ exitCode: 4, stdout: 'read nothing', stderr: '' });
  });

  it('runs a command on every host and reports exit code, output and stdin', async () => {
    const results = await Promise.all(
      fleet.hosts.map((h) => ssh.exec(h, sh`cat; echo ${h.name} >&2; exit 3`, { stdin: `hello ${h.name}` })),
    );
    results.forEach((r, i) => {
      const h = fleet.hosts[i]!;
      expect(r).toMatchObject({
        host: h.name,
        exitCode: 3,
        signal: null,
        stdout: `hello ${h.name}`,
        stderr: `${h.name}\n`,
      });
    });
  });

  it('reuses one connection per host across steps', async () => {
    const host = fleet.hosts[0]!;
    await ssh.exec(host, sh`true`);
    const before = ssh.openConnections;
    for (let i = 0; i < 5; i++) await ssh.exec(host, sh`true`);
    expect(ssh.openConnections).toBe(before);
  });

  it('keeps open connections under the global cap and closes idle ones', async () => {
    const capped = executorFor(fleet, { maxConnections: 3, idleCloseMs: 200 });
    try {
      let peak = 0;
      const results = await Promise.all(
        fleet.hosts.slice(10, 20).map(async (h) => {
          const r = await capped.exec(h, sh`echo ${h.name}`);
          peak = Math.max(peak, capped.openConnections);
          return r.stdout.trim();
        }),
      );
      expect(results).toEqual(fleet.hosts.slice(10, 20).map((h) => h.name));
      expect(peak).toBeLessThanOrEqual(3);
      while (capped.openConnections > 0) await new Promise((r) => setTimeout(r, 50));
      expect(capped.openConnections).toBe(0);
    } finally {
      await capped.close();
    }
  });

  it('caps captured output and says it did', async () => {
    const r = await ssh.exec(fleet.hosts[1]!, sh`head -c 100000 /dev/zero`, { maxOutputBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
    expect(r.truncated).toBe(true);
  });

  it('uploads atomically to every host; sha256sum on the host matches', async () => {
    const uploads = await Promise.all(
      fleet.hosts.map(async (h) => {
        const content = `app config for ${h.name}\n`;
        const path = `/etc/marshal-apps/web/${h.name}.conf`;
        await ssh.exec(h, sh`mkdir -p /etc/marshal-apps/web`);
        const { sha256 } = await ssh.upload(h, { path, content, mode: 0o640 });
        const check = await ssh.exec(h, sh`sha256sum -- ${path}; stat -c %a -- ${path}`);
        return { sha256, content, check: check.stdout };
      }),
    );
    for (const u of uploads) {
      expect(u.sha256).toBe(createHash('sha256').update(u.content).digest('hex'));
      expect(u.check).toMatch(new RegExp(`^${u.sha256} .*\\n640\\n$`));
    }
  });

  it('replaces an existing file, sets owner and group, and leaves no temp file', async () => {
    const h = fleet.hosts[2]!;
    await ssh.upload(h, { path: '/etc/marshal-apps/a.conf', content: 'old' });
    await ssh.upload(h, {
      path: '/etc/marshal-apps/a.conf',
      content: 'new',
      owner: 'nobody',
      group: 'nogroup',
    });
    const r = await ssh.exec(
      h,
      sh`cat /etc/marshal-apps/a.conf; echo; stat -c %U:%G /etc/marshal-apps/a.conf; ls -A /etc/marshal-apps`,
    );
    expect(r.stdout).toMatch(/^new\nnobody:nogroup\n/);
    expect(r.stdout).not.toMatch(/marshal-.*\.tmp/);
    expect((await ssh.download(h, '/etc/marshal-apps/a.conf')).toString()).toBe('new');
  });

  it('reports a failed upload as TransferFailed naming the host', async () => {
    const h = fleet.hosts[3]!;
    const err = await ssh
      .upload(h, { path: '/etc/marshal-apps/no/such/dir/x', content: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferFailed);
    expect((err as TransferFailed).context.host).toBe(h.name);
    await expect(
      ssh.upload(h, { path: '/etc/marshal-apps/y', content: 'x', owner: 'no-such-user' }),
    ).rejects.toThrow(/owner does not exist/);
  });

  it('keeps each host’s private files to itself', async () => {
    const [a, b] = [fleet.hosts[4]!, fleet.hosts[5]!];
    await ssh.exec(
      a,
      sh`echo mine > /tmp/only-a; mkdir -p /etc/marshal-apps/x; echo a > /etc/marshal-apps/x/f; echo a > /etc/ssl/marshal/cert.pem; echo a > /var/lib/marshal-host/note`,
    );
    const onB = await ssh.exec(
      b,
      sh`ls -A /tmp /etc/marshal-apps /etc/ssl/marshal; test -e /var/lib/marshal-host/note && echo LEAK; true`,
    );
    expect(onB.stdout).not.toMatch(/only-a|x|cert\.pem|LEAK/);
    const onA = await ssh.exec(
      a,
      sh`cat /tmp/only-a /etc/marshal-apps/x/f /etc/ssl/marshal/cert.pem /var/lib/marshal-host/note`,
    );
    expect(onA.stdout).toBe('mine\na\na\na\n');
    const releases = await Promise.all(
      [a, b].map((h) => ssh.exec(h, sh`. /etc/os-release; echo $VERSION_ID`)),
    );
    expect(releases.map((r) => r.stdout.trim())).toEqual(['12', '11']);
    const boots = await Promise.all([a, b].map((h) => ssh.exec(h, sh`cat /proc/sys/kernel/random/boot_id`)));
    expect(boots[0]!.stdout).not.toBe(boots[1]!.stdout);
    expect(boots[0]!.stdout.trim()).toBe(fleet.bootId(a));
  });

  it('setOsRelease and install change what one host reports', async () => {
    const h = fleet.hosts[6]!;
    fleet.setOsRelease(h, debianOsRelease(13));
    fleet.install(h, 'systemctl', '#!/bin/sh\necho "fake systemctl $*"; exit 4\n');
    const r = await ssh.exec(h, sh`. /etc/os-release; echo $VERSION_ID; systemctl reload ${'nginx'}`);
    expect(r.stdout).toBe('13\nfake systemctl reload nginx\n');
    expect(r.exitCode).toBe(4);
  });
});
