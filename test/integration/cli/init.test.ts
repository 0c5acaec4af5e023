import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintSha256 } from '../../../src/hosts/known-hosts.js';
import { SshFleet } from '../../../src/local/fleet/index.js';
import { marshalCli } from '../../support/marshal-cli.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

/** What `marshal init` would print for each fleet host: its address and the fingerprint of its key. */
function fleetFingerprints(fleet: SshFleet): Map<string, string> {
  const byAddress = new Map<string, string>();
  for (const line of readFileSync(fleet.knownHostsPath, 'utf8').split('\n').filter(Boolean)) {
    const [name, , blob] = line.split(' ');
    byAddress.set(name!.replace(/^\[|\]:\d+$/g, ''), fingerprintSha256(Buffer.from(blob!, 'base64')));
  }
  return byAddress;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the command to fail');
    },
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

/** `marshal init` as a new user runs it, against real sshd hosts, then the dry run it prints. */
describe('marshal init on your own hosts', () => {
  let fleet: SshFleet;
  const work = mkdtempSync(join(tmpdir(), 'marshal-init-'));
  const prefix = uniquePrefix('init');
  // No Marshal settings from the test's environment: init needs none, the dry run gets them below.
  const marshal = marshalCli(() => ({ MARSHAL_CONFIG: undefined, REDIS_URL: undefined }), 120_000);
  const hostsFlag = (): string => fleet.hosts.map((h) => `${h.name}=${h.address}`).join(',');
  const flags = (dir: string): string[] => [
    'init',
    dir,
    '--hosts',
    hostsFlag(),
    '--user',
    'root',
    '--key',
    fleet.privateKeyPath,
    '--owner',
    'U012AB3CD',
  ];

  beforeAll(async () => {
    fleet = await SshFleet.start({ count: 2, name: 'init' });
  });
  afterAll(async () => {
    await fleet?.stopAll();
    rmSync(work, { recursive: true, force: true });
  });

  it('without a terminal or --yes, shows every fingerprint and trusts nothing: nothing is written', async () => {
    const dir = join(work, 'unconfirmed');
    const e = await failure(marshal(flags(dir)));
    expect(e.code).toBe(2);
    for (const [address, fingerprint] of fleetFingerprints(fleet))
      expect(e.stdout).toMatch(
        new RegExp(`${address}:22 +ssh-ed25519 +${fingerprint.replace(/[+/]/g, '\\$&')}`),
      );
    expect(e.stderr).toMatch(/no terminal to confirm the host keys[^\n]*--yes\. Nothing was written/);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a host it cannot reach, naming it, before writing anything', async () => {
    const dir = join(work, 'unreachable');
    const args = flags(dir);
    args[3] = `${hostsFlag()},gone=${fleet.hosts[0]!.address}:1`;
    const e = await failure(marshal([...args, '--yes']));
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/cannot read the host key of gone \([\d.]+:1\): [^\n]*ECONNREFUSED/);
    expect(existsSync(dir)).toBe(false);
  });

  it('with --yes writes config, inventory, confirmed known_hosts and a first bundle; its dry run works', async () => {
    const dir = join(work, 'mine');
    const { stdout } = await marshal([...flags(dir), '--yes']);
    // The fingerprints the operator was shown are the hosts' real keys, and exactly those are trusted.
    const expected = fleetFingerprints(fleet);
    for (const fingerprint of expected.values()) expect(stdout).toContain(fingerprint);
    const trusted = readFileSync(join(dir, 'known_hosts'), 'utf8').split('\n').filter(Boolean);
    expect(trusted.map((l) => l.split(' ')[0]).sort()).toEqual([...expected.keys()].sort());
    expect(trusted.map((l) => fingerprintSha256(Buffer.from(l.split(' ')[2]!, 'base64'))).sort()).toEqual(
      [...expected.values()].sort(),
    );
    expect(readdirSync(join(dir, 'bundles'))).toEqual(['marshal-hello']);
    // The key logs in to every host, and the directory bundles write into is there.
    for (const h of fleet.hosts)
      expect(stdout).toMatch(new RegExp(`✓ ${h.name}: Linux [^\\n]*/etc/marshal-apps writable`));

    // The exact command it ends with runs as printed: a dry run on every host that changes nothing.
    const printed =
      /^ {2}(MARSHAL_CONFIG=\S+) marshal (run config-push marshal-hello to all --dry-run)$/m.exec(stdout);
    expect(printed, stdout).not.toBeNull();
    expect(printed![1]).toBe(`MARSHAL_CONFIG=${join(dir, 'marshal.yaml')}`);
    const run = await marshalCli(
      () => ({
        MARSHAL_CONFIG: join(dir, 'marshal.yaml'),
        REDIS_URL: testRedisUrl(),
        MARSHAL_PREFIX: prefix,
      }),
      180_000,
    )(printed![2]!.split(' '));
    expect(run.stdout).toMatch(/run \S+: config-push \(dry run\) — succeeded/);
    expect(run.stdout).toMatch(/hosts: 2 ok/);
    for (const h of fleet.hosts)
      expect(existsSync(fleet.localPath(h, '/etc/marshal-apps/marshal-hello.conf'))).toBe(false);
  });

  it('refuses to overwrite a config that is already there', async () => {
    const dir = join(work, 'mine');
    const e = await failure(marshal([...flags(dir), '--yes']));
    expect(e.stderr).toMatch(/marshal\.yaml already exists/);
  });
});
