import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const exec = promisify(execFile);

/**
 * scripts/apt-lock.sh, which system-deps.sh runs before apt: another package manager's lock (a POSIX
 * lock, as apt and dpkg take, held here by a real process) is waited for, bounded, and said.
 */
describe('the package step waits for the apt/dpkg lock', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A process holding a POSIX write lock on `file` for `seconds` (python3's fcntl.lockf, as dpkg's). */
  const holdLock = async (file: string, seconds: number) => {
    const child = spawn('python3', [
      '-c',
      `import fcntl, sys, time\nf = open(${JSON.stringify(file)}, 'w')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(${seconds})`,
    ]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    return child;
  };

  const waitForLocks = (lock: string, limit: number) =>
    exec('bash', ['-c', 'set -euo pipefail; source scripts/apt-lock.sh; wait_for_apt_locks'], {
      env: { ...process.env, MARSHAL_APT_LOCKS: lock, MARSHAL_APT_LOCK_WAIT: String(limit) },
    });

  const lockFile = () => {
    const d = mkdtempSync(join(tmpdir(), 'apt-lock-test-'));
    dirs.push(d);
    const f = join(d, 'lock-frontend');
    writeFileSync(f, '');
    return f;
  };

  it('waits while the lock is held, saying by whom, and goes on once it is free', async () => {
    const lock = lockFile();
    const holder = await holdLock(lock, 2);
    const { stderr } = await waitForLocks(lock, 30);
    expect(stderr).toContain(`another package manager holds ${lock} (pid ${holder.pid}`);
    expect(stderr).toMatch(/the package lock is free after \d+s; installing/);
  }, 60_000);

  it('gives up after the bound with a message that says what to do', async () => {
    const lock = lockFile();
    const holder = await holdLock(lock, 30);
    try {
      const failure = await waitForLocks(lock, 2).catch((e: { code: number; stderr: string }) => e);
      expect(failure).toMatchObject({ code: 1 });
      expect((failure as { stderr: string }).stderr).toMatch(
        new RegExp(`is still held by pid ${holder.pid} .* after 2s; run again once it is done`),
      );
    } finally {
      holder.kill();
    }
  }, 60_000);

  it('says nothing and waits not at all when nobody holds it', async () => {
    const { stderr } = await waitForLocks(lockFile(), 30);
    expect(stderr).toBe('');
  });
});

describe('what the package step installs', () => {
  const list = async (profile: string) =>
    (await exec('bash', ['scripts/system-deps.sh', profile, '--list'])).stdout.trim().split('\n');

  it('for the local run: only Redis and OpenSSH (and what the fleet needs), not the tests’ ansible', async () => {
    // `npm run demo` runs it with that profile first.
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.predemo).toBe('bash scripts/system-deps.sh demo');
    expect(await list('demo')).toEqual([
      'mount',
      'openssh-client',
      'openssh-server',
      'redis-server',
      'util-linux',
    ]);
  });

  it('for the tests: everything the demo needs, and ansible', async () => {
    const tests = await list('tests');
    expect(tests).toEqual(expect.arrayContaining([...(await list('demo')), 'ansible']));
  });
});
