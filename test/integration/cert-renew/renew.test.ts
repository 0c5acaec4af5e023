import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';
import { HOOK_BIN_DIR } from '../../../src/local/fleet/sshd-config.js';
import { CertFixture, CERT_OWNER, CERT_PATH, KEY_PATH } from '../../support/cert-fixture.js';
import { DEMO_APPROVER, DEMO_REQUESTER, messageText, waitUntil } from '../../support/config-push-fixture.js';

/**
 * `/cert renew` end to end: signed Slack requests, Marshal's real server and workers on real Redis,
 * pebble issuing through a DNS-01 challenge it really checks, nginx serving on every fleet host, real
 * TLS handshakes, and a real SMTP server receiving the certificate team's mail.
 */
describe('certificate renewal end to end', { timeout: 180_000 }, () => {
  let c: CertFixture;

  beforeAll(async () => {
    c = await CertFixture.start({ hosts: 4 });
  }, 180_000);
  afterAll(async () => {
    await c?.close();
  });
  beforeEach(async () => {
    await c.reset();
  });

  const threadText = async (runId: string): Promise<string> =>
    (await c.f.thread(runId)).map((m) => messageText(m)).join('\n');
  const certStatusText = (runId: string): Promise<string> =>
    waitUntil('the status', async () => {
      const t = await threadText(runId);
      return t.includes('Certificate status') ? t : undefined;
    });

  it('renews through ACME: canary on the low-criticality hosts, approval by another user, then the batch; selected hosts serve the new certificate, others the old', async () => {
    const first = c.firstFingerprint();
    const [low1, low2, rest] = c.webHosts as [string, string, string];
    const reply = await c.f.sendCommand(DEMO_REQUESTER, 'renew www --batches 100% --delay 0s', '/cert');
    const runId = reply.runId!;
    expect(reply.text).toContain(runId);

    const card = await c.f.waitForApprovalCard(runId);
    const run = await c.f.server.marshal.engine.get(runId);
    const canary = run.targets.filter((t) => t.stage === 'canary').map((t) => t.target);
    expect(canary.sort()).toEqual([low1, low2].sort());
    // Waiting for approval: the canary serves a new certificate, the rest still the first one.
    const renewed = await c.served(low1);
    expect(renewed).not.toBe(first);
    expect(await c.served(low2)).toBe(renewed);
    expect(await c.served(rest)).toBe(first);
    // The approval card's evidence: the new fingerprint and SANs, what the canary serves.
    const evidence = await threadText(runId);
    expect(evidence).toContain(renewed);
    expect(evidence).toContain('SANs: www.example.test, example.test');

    // The requester cannot approve their own renewal; another approver can.
    await c.f.press(MARSHAL_APPROVE, card, DEMO_REQUESTER);
    const gate = (await c.f.server.marshal.engine.get(runId)).gates.find(
      (g) => g.gateId === 'execution.approval',
    );
    expect(gate?.state).toBe('waiting');
    await c.f.press(MARSHAL_APPROVE, card, DEMO_APPROVER);
    const done = await c.f.waitForRun(runId, 180_000);
    expect(done.state).toBe('succeeded');
    for (const host of c.webHosts)
      expect({ host, served: await c.served(host) }).toEqual({ host, served: renewed });
    for (const host of c.otherHosts)
      expect({ host, served: await c.served(host) }).toEqual({ host, served: first });

    // The new certificate chains to pebble's root; the previous pair stays beside it, mode kept; nothing staged.
    for (const host of c.webHosts) {
      expect(c.files(host)).toEqual([
        'fullchain.pem',
        `fullchain.pem.marshal-prev-${runId}`,
        'privkey.pem',
        `privkey.pem.marshal-prev-${runId}`,
      ]);
    }
    const audit = await c.f.server.marshal.audit.entries(runId);
    const finished = audit.find((e) => e.kind === 'cert.renew.finished');
    expect(finished?.data).toMatchObject({
      requester: DEMO_REQUESTER,
      approvedBy: DEMO_APPROVER,
      succeeded: true,
      certificate: 'www',
      new: { fingerprintSha256: renewed, dnsNames: ['www.example.test', 'example.test'] },
    });
    expect([...(finished?.data as { servedBy: string[] }).servedBy].sort()).toEqual([...c.webHosts].sort());
    expect(
      audit
        .filter((e) => e.kind === 'cert.host.deployed')
        .map((e) => e.target)
        .sort(),
    ).toEqual([...c.webHosts].sort());

    // Secrets: the new key's PEM body is nowhere in Redis, the logs or any Slack call.
    const keyPem = c.env.fleet.localPath(low1, KEY_PATH);
    const body = readFileSync(keyPem, 'utf8')
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, '');
    expect(body.length).toBeGreaterThan(100);
    const needle = body.slice(10, 70);
    const redis = c.f.server.marshal.redis;
    const dump: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') dump.push((await redis.get(key)) ?? '');
        else if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
    const all = (text: string): string => text.replace(/\\n|\s+/g, '');
    expect(dump.length).toBeGreaterThan(10);
    expect(all(dump.join('\n'))).not.toContain(needle);
    expect(c.logLines.length).toBeGreaterThan(10);
    expect(all(c.logLines.join('\n'))).not.toContain(needle);
    const calls = JSON.stringify(c.env.standin.accepted());
    expect(calls.length).toBeGreaterThan(100);
    expect(all(calls)).not.toContain(needle);
    // The key the hosts got belongs to the certificate they serve.
    expect(new X509Certificate(readFileSync(c.env.fleet.localPath(low1, CERT_PATH))).fingerprint256).toBe(
      renewed,
    );

    // The cleanup recorded where the certificate now is; /cert status shows it next to the live probe.
    const status = await c.f.sendCommand(DEMO_REQUESTER, 'status www', '/cert');
    await c.f.waitForRun(status.runId!);
    const statusText = await certStatusText(status.runId!);
    const notAfter = new X509Certificate(readFileSync(c.env.fleet.localPath(low1, CERT_PATH))).validTo;
    expect(statusText).toContain(`recorded by run ${runId} at `);
    expect(statusText).toContain(
      `${renewed.split(':').slice(0, 8).join(':')} notAfter ${new Date(notAfter).toISOString()}: ${[...c.webHosts].sort().join(', ')}`,
    );
    expect(statusText).toContain('live matches the record');
  });

  it('a host whose reload breaks halts the rollout: every changed host serves the old certificate again; owners and the team are told', async () => {
    const first = c.firstFingerprint();
    const broken = c.webHosts[2]!;
    // The batch host's first reload fails the way a broken nginx reload does. Its config test passes (with
    // the files staged, and again at the pre-checks): the break is caught at the reload, inside that host's
    // step, which puts its backup back before the rollout halts and rolls the canary hosts back.
    c.env.fleet.install(
      broken,
      'nginx',
      `#!/bin/sh\ncase "$*" in *"-s reload"*) if [ ! -e /var/lib/marshal-host/broke-once ]; then : > /var/lib/marshal-host/broke-once; echo "nginx: [emerg] reload failed" >&2; exit 1; fi;; esac\nPATH=\${PATH#${HOOK_BIN_DIR}:} exec nginx "$@"\n`,
    );
    const mailsBefore = c.mails.length;
    const reply = await c.f.sendCommand(DEMO_REQUESTER, 'renew www --batches 100% --delay 0s', '/cert');
    const runId = reply.runId!;
    const card = await c.f.waitForApprovalCard(runId);
    await c.f.press(MARSHAL_APPROVE, card, DEMO_APPROVER);
    const run = await c.f.waitForRun(runId, 180_000);
    expect(run.state).toBe('failed');
    for (const host of c.f.hosts.map((h) => h.name))
      expect({ host, served: await c.served(host) }).toEqual({ host, served: first });
    const audit = await c.f.server.marshal.audit.entries(runId);
    expect(
      audit
        .filter((e) => e.kind === 'cert.host.restored')
        .map((e) => e.target)
        .sort(),
    ).toEqual(c.webHosts.slice(0, 2).sort());
    expect(audit.find((e) => e.kind === 'cert.host.failed' && e.target === broken)?.data).toMatchObject({
      restored: true,
    });
    // The owners are alerted in the thread, the certificate team by email.
    await waitUntil('the owners alert', async () =>
      (await threadText(runId)).includes(`Certificate renewal failed: www`) ? true : undefined,
    );
    expect(await threadText(runId)).toContain(CERT_OWNER);
    const mail = await waitUntil('the email', () => c.mails.slice(mailsBefore)[0]);
    expect(mail.to).toEqual(['certificates@example.test']);
    expect(mail.raw).toContain('Certificate renewal failed: www');
    expect(mail.raw).toContain(broken);

    // The record says where the failed run left things: every selected host back on the first certificate.
    const status = await c.f.sendCommand(DEMO_REQUESTER, 'status www', '/cert');
    await c.f.waitForRun(status.runId!);
    const statusText = await certStatusText(status.runId!);
    expect(statusText).toContain(`recorded by run ${runId} at `);
    expect(statusText).toContain('(a failed run)');
    expect(statusText).toMatch(
      new RegExp(
        `${first.split(':').slice(0, 8).join(':')} notAfter \\S+: ${[...c.webHosts].sort().join(', ')}`,
      ),
    );
    expect(statusText).toContain('live matches the record');
  });

  it('a host whose nginx refuses the new certificate fails its staged config test at the pre-checks: nothing is swapped anywhere', async () => {
    const first = c.firstFingerprint();
    const refusing = c.webHosts[2]!;
    const before = await c.servedAll();
    const files = c.f.hosts.map((h) => c.files(h.name));
    // This host's nginx loads only the first certificate (as an nginx built against an older OpenSSL may
    // refuse a new key type). Its test reads what sits at the live path: only the staged test, which
    // puts the new files there for the test alone, can see the new certificate and fail.
    const firstLine = c.first.certPem.split('\n')[1]!;
    c.env.fleet.install(
      refusing,
      'nginx',
      `#!/bin/sh\ncase " $* " in *" -t "*) if ! grep -qF -- '${firstLine}' ${CERT_PATH}; then echo "nginx: [emerg] cannot load certificate \\"${CERT_PATH}\\": PEM_read_bio_X509_AUX() failed" >&2; exit 1; fi;; esac\nPATH=\${PATH#${HOOK_BIN_DIR}:} exec nginx "$@"\n`,
    );
    const reply = await c.f.sendCommand(DEMO_REQUESTER, 'renew www --batches 100% --delay 0s', '/cert');
    const run = await c.f.waitForRun(reply.runId!, 180_000);
    expect(run.state).toBe('failed');
    const failed = run.tasks.filter((t) => t.state === 'failed');
    expect(failed.map((t) => t.taskId)).toEqual(['pre-checks.hosts']);
    expect(failed[0]!.error).toContain(`${refusing}: \``);
    expect(failed[0]!.error).toMatch(
      /fails with the new certificate staged: nginx: \[emerg\] cannot load certificate/,
    );
    // No rollout target was reached; every host serves and holds what it did (staged copies and backups gone).
    expect(run.targets).toEqual([]);
    expect(await c.servedAll()).toEqual(before);
    expect(before[refusing]).toBe(first);
    expect(c.f.hosts.map((h) => c.files(h.name))).toEqual(files);
  });

  it('--dry-run changes nothing and shows what each host would get', async () => {
    const before = await c.servedAll();
    const files = c.f.hosts.map((h) => c.files(h.name));
    const reply = await c.f.sendCommand(DEMO_REQUESTER, 'renew www --dry-run', '/cert');
    const run = await c.f.waitForRun(reply.runId!);
    expect(run.state).toBe('succeeded');
    expect(await c.servedAll()).toEqual(before);
    expect(c.f.hosts.map((h) => c.files(h.name))).toEqual(files);
    const text = await threadText(reply.runId!);
    for (const host of c.webHosts) expect(text).toMatch(new RegExp(`${host}[^\\n]*would get`));
  });

  it('the radar finds the certificate inside its window and the one outside it', async () => {
    const reply = await c.f.sendCommand(DEMO_REQUESTER, 'radar', '/cert');
    const run = await c.f.waitForRun(reply.runId!);
    expect(run.state).toBe('succeeded');
    const text = await waitUntil('the digest', async () => {
      const t = await threadText(reply.runId!);
      return t.includes('Certificate radar') ? t : undefined;
    });
    expect(text).toMatch(/Inside the renew-before window \(1\):[\s\S]*www-soon: renew now/);
    expect(text).toMatch(/Fine \(1\):[\s\S]*www: ok/);
  });

  it('/cert status names the fingerprint each host serves', async () => {
    const reply = await c.f.sendCommand(DEMO_REQUESTER, 'status www', '/cert');
    await c.f.waitForRun(reply.runId!);
    const text = await waitUntil('the status', async () => {
      const t = await threadText(reply.runId!);
      return t.includes('Certificate status') ? t : undefined;
    });
    expect(text).toContain(c.firstFingerprint().split(':').slice(0, 8).join(':'));
    for (const host of c.webHosts) expect(text).toContain(host);
  });
});
