import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostBlocks, type BlockContext, type HostBlocks } from '../../../src/hosts/blocks/index.js';
import { HostStepError } from '../../../src/hosts/errors/index.js';
import { sh } from '../../../src/hosts/quote.js';
import type { SshExecutor } from '../../../src/hosts/ssh/index.js';
import { SshFleet } from '../../../src/local/fleet/index.js';
import { executorFor } from '../hosts/fleet-executor.js';

const ctx: BlockContext = { signal: new AbortController().signal };

describe('host building blocks: commands and files on real sshd hosts', () => {
  let fleet: SshFleet;
  let ssh: SshExecutor;
  let blocks: HostBlocks;

  beforeAll(async () => {
    fleet = await SshFleet.start({ count: 2, name: 'blkfile' });
    ssh = executorFor(fleet);
    blocks = createHostBlocks({ executor: ssh });
  });
  afterAll(async () => {
    await ssh?.close();
    await fleet?.stopAll();
  });

  it('runs a quoted command, and a non-zero exit is a HostStepError that names the host and the step', async () => {
    const host = fleet.hosts[0]!;
    const r = await blocks.run(host, sh`printf '%s' ${"it's $(id)"}`, ctx);
    expect(r.stdout).toBe("it's $(id)");
    const err = await blocks
      .run(host, sh`echo broken >&2; exit 3`, ctx, { what: 'restart the thing' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostStepError);
    expect((err as Error).message).toContain(`${host.name}: could not restart the thing (exit 3)`);
    expect((err as Error).message).toContain('broken');
    expect((await blocks.run(host, sh`exit 3`, ctx, { okExitCodes: [0, 3] })).exitCode).toBe(3);
  });

  it('writes a file atomically with its mode and owner, verified by the host; the same file again is no change', async () => {
    const host = fleet.hosts[0]!;
    const file = {
      path: '/etc/marshal-apps/app.conf',
      content: 'port = 8080\n',
      mode: 0o640,
      owner: 'nobody',
    };
    expect(await blocks.writeFileCheck(host, file, ctx)).toBe('not_applied');
    const first = await blocks.writeFile(host, file, ctx);
    expect(first).toMatchObject({ changed: true, previousSha256: null });
    const local = fleet.localPath(host, file.path);
    expect(readFileSync(local, 'utf8')).toBe(file.content);
    expect(statSync(local).mode & 0o777).toBe(0o640);
    const nobody = Number((await blocks.run(host, sh`id -u nobody`, ctx)).stdout.trim());
    expect(statSync(local).uid).toBe(nobody);
    expect(await blocks.writeFileCheck(host, file, ctx)).toBe('applied');
    expect((await blocks.writeFile(host, file, ctx)).changed).toBe(false);
    // Another mode is a change even with the same content.
    expect((await blocks.writeFile(host, { ...file, mode: 0o600 }, ctx)).changed).toBe(true);
    expect(statSync(local).mode & 0o777).toBe(0o600);
    const read = await blocks.readFile(host, file.path, ctx);
    expect(read.content.toString()).toBe(file.content);
    expect(read.sha256).toBe(first.sha256);
    // Nothing was left beside the target.
    expect((await blocks.run(host, sh`ls -A /etc/marshal-apps`, ctx)).stdout.trim()).toBe('app.conf');
  });

  it('refuses an owner the host does not have and leaves the file as it was', async () => {
    const host = fleet.hosts[0]!;
    const path = '/etc/marshal-apps/owned.conf';
    await blocks.writeFile(host, { path, content: 'old\n' }, ctx);
    const err = await blocks
      .writeFile(host, { path, content: 'new\n', owner: 'no-such-user' }, ctx)
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/owner does not exist/);
    expect(readFileSync(fleet.localPath(host, path), 'utf8')).toBe('old\n');
  });

  it('copies a directory between hosts over SFTP with modes, every checksum verified on both sides', async () => {
    const [a, b] = [fleet.hosts[0]!, fleet.hosts[1]!];
    await blocks.run(
      a,
      sh`mkdir -p /var/lib/marshal-host/data/sub && printf 'one' > /var/lib/marshal-host/data/a.txt && head -c 300000 /dev/urandom > /var/lib/marshal-host/data/sub/blob && chmod 600 /var/lib/marshal-host/data/sub/blob`,
      ctx,
    );
    const sums = await blocks.copyDirectory(
      a,
      b,
      { source: '/var/lib/marshal-host/data', target: '/var/lib/marshal-host/copy' },
      ctx,
    );
    expect(Object.keys(sums).sort()).toEqual(['a.txt', 'sub/blob']);
    expect(await blocks.directoryChecksums(b, '/var/lib/marshal-host/copy', ctx)).toEqual(sums);
    const blob = fleet.localPath(b, '/var/lib/marshal-host/copy/sub/blob');
    expect(statSync(blob).mode & 0o777).toBe(0o600);
    expect(existsSync(fleet.localPath(a, '/var/lib/marshal-host/copy'))).toBe(false);
  });
});
