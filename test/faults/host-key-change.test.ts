import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintSha256 } from '../../src/hosts/known-hosts.js';
import { ConfigPushFixture, TRACE_LOG } from '../support/config-push-fixture.js';
import { expectReportedEqualsReal, pushWithFaultAtApproval } from './support/mid-run-fault.js';

/** Issue #8 fault suite: a host whose SSH host key changed in the middle of a run (a reinstall, or worse). */
describe('a host key change mid-run', () => {
  let f: ConfigPushFixture;
  beforeAll(async () => {
    f = await ConfigPushFixture.start({ hosts: 4 });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('the host is refused, never trusted silently, and reported with its new fingerprint', async () => {
    expect(f.webHosts).toEqual(['web-001', 'web-002', 'web-003']);
    const changed = 'web-003';
    f.traceCommands(['cp', 'mv', 'cat', 'sha256sum', 'cmp', 'awk', 'rm']);
    const knownHosts = readFileSync(f.env.fleet.knownHostsPath, 'utf8');

    const result = await pushWithFaultAtApproval(f, async () => {
      await f.env.fleet.changeHostKey(changed);
      // From here on, the host must see no command at all.
      rmSync(f.env.fleet.localPath(changed, TRACE_LOG), { force: true });
    });
    const line = f.env.fleet.member(changed).knownHostsLine().split(' ');
    const fingerprint = fingerprintSha256(Buffer.from(line[2]!, 'base64'));

    expect(result.run.state).toBe('failed');
    const target = result.run.targets.find((t) => t.target === changed);
    expect(target?.ok).toBe(false);
    expect(target?.error).toContain(fingerprint);
    expect(result.thread).toContain(fingerprint);
    // Never trusted: known_hosts is as it was, and nothing ran on the host after its key changed.
    expect(readFileSync(f.env.fleet.knownHostsPath, 'utf8')).toBe(knownHosts);
    expect(f.tracedCalls(changed)).toEqual([]);

    expectReportedEqualsReal(f, result);
  });
});
