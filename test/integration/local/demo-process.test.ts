import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/local/free-port.js';
import { quote } from '../../../src/hosts/quote.js';
import { MARSHAL_BIN, startMarshal, type MarshalProcess } from '../../support/marshal-process.js';

const exec = promisify(execFile);

/**
 * `marshal demo` as a newcomer runs it: a real process, started from a directory outside the
 * repository, with its own temporary directory (TMPDIR) so that what it leaves behind can be seen.
 */
describe('marshal demo (the local run) as a process', () => {
  const dirs: string[] = [];
  const procs: MarshalProcess[] = [];
  afterEach(async () => {
    // A demo still running is stopped as an operator would (its fleet and Redis with it), then killed.
    for (const p of procs.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      await Promise.race([p.exited, new Promise((r) => setTimeout(r, 70_000))]);
      await p.kill();
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A directory of the test's own, outside the repository (not named like the demo's). */
  const scratch = (what: string): string => {
    const d = mkdtempSync(join(tmpdir(), `demo-test-${what}-`));
    dirs.push(d);
    return d;
  };

  const demo = (args: string[], env: Record<string, string | undefined> = {}) => {
    const cwd = scratch('cwd');
    const tmp = scratch('tmp');
    // Its own Redis, as a newcomer's demo starts one (unless REDIS_URL is given).
    const p = startMarshal(
      ['demo', '--hosts', '4', ...args],
      { REDIS_URL: undefined, TMPDIR: tmp, ...env },
      { cwd },
    );
    procs.push(p);
    return { p, tmp, left: () => readdirSync(tmp).filter((f) => f.startsWith('marshal-demo-')) };
  };

  const jsonLines = (text: string) => text.split('\n').filter((l) => l.trimStart().startsWith('{'));

  it('from outside the repository with --yes: finds its bundles, succeeds, shows the settled thread and roles, removes its folder', async () => {
    const { p, left } = demo(['--yes']);
    expect(await p.exited).toEqual({ code: 0, signal: null });
    const out = p.stdout();
    expect(out).toMatch(/^Console: http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(jsonLines(out + p.stderr())).toEqual([]);
    // The thread is printed once it settled: its header says succeeded, none says running.
    const thread = out.slice(out.indexOf('── The thread in #marshal-ops ──'));
    expect(thread).toMatch(/^■ \S+ config-push — succeeded$/m);
    expect(thread).not.toMatch(/— running/);
    expect(out).toMatch(/Run \S+ succeeded\.\n$/);
    // Host names say their role; the table shows it; api hosts kept their file.
    const table = out.slice(out.indexOf('── The fleet now'));
    const rows = [...table.matchAll(/^ {2}((web|api)-\d{3}) +(\w+) +\S+ +sha256 \S+ (.*)$/gm)];
    expect(rows.map((r) => [r[1], r[3]])).toEqual([
      ['web-001', 'web'],
      ['web-002', 'web'],
      ['web-003', 'web'],
      ['api-004', 'api'],
    ]);
    for (const r of rows)
      expect(r[4]).toBe(r[3] === 'web' ? 'the pushed bundle' : 'as before (not selected)');
    expect(left()).toEqual([]);
  }, 240_000);

  it('waits at the gate until Bob approves in the console, acting as Bob there', async () => {
    const { p, left } = demo([]);
    const [, runUrl] = await p.waitFor(/In the browser: open (http:\S+)/, 'the console link');
    // Nothing moves on its own: the run waits for a decision.
    await new Promise((r) => setTimeout(r, 2000));
    expect(p.stdout()).not.toMatch(/execution\.batches running/);

    await approveInConsoleAsBob(runUrl!);

    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stdout()).toMatch(/Decided in the console: approve by U0BOB\./);
    expect(p.stdout()).toMatch(/Run \S+ succeeded\.\n$/);
    expect(left()).toEqual([]);
  }, 240_000);

  it('in a terminal (a real pty): asks whether to approve as Bob, and a "y" approves', async () => {
    const cwd = scratch('cwd');
    const tmp = scratch('tmp');
    // util-linux `script` gives the demo a pseudo-terminal, as a person's shell would.
    const child = spawn(
      'script',
      ['-qfec', `${quote(process.execPath)} ${quote(MARSHAL_BIN)} demo --hosts 4`, '/dev/null'],
      { cwd, env: { ...process.env, REDIS_URL: undefined, TMPDIR: tmp }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await until(
        () => out.includes('Approve the batches as bob? [Y/n]'),
        () => out,
      );
      expect(out).toContain('Or here, as bob:');
      expect(out).not.toMatch(/execution\.batches running/);
      child.stdin.write('y\n');
      expect(await exited).toBe(0);
      expect(out).toContain('bob> (clicks Approve)');
      expect(out).toMatch(/Run \S+ succeeded\./);
      expect(readdirSync(tmp).filter((f) => f.startsWith('marshal-demo-'))).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  }, 240_000);

  it('an error (Redis does not answer) exits non-zero with a clear line, never hangs, and removes its folder', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const { p, left } = demo(['--yes'], { REDIS_URL: dead });
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.stderr()).toMatch(/^marshal demo: .*REDIS_URL/m);
    expect(jsonLines(p.stderr())).toEqual([]);
    expect(left()).toEqual([]);
  }, 120_000);

  it('Ctrl-C while waiting at the gate stops everything and removes its folder', async () => {
    const { p, left } = demo([]);
    await p.waitFor(/In the browser: open/, 'the gate');
    p.child.kill('SIGINT');
    expect(await p.exited).toEqual({ code: 130, signal: null });
    expect(p.stderr()).toMatch(/interrupted \(SIGINT\)/);
    expect(left()).toEqual([]);
  }, 240_000);

  it('--keep leaves it running with the env to reach it: `marshal status` and `marshal run` (approved by Bob in the console) work against it; SIGTERM stops it', async () => {
    const { p, left } = demo(['--yes', '--keep']);
    await p.waitFor(/^Stop it: .*$/m, 'the keep instructions');
    const out = p.stdout();
    const exported = Object.fromEntries(
      [...out.matchAll(/^ {2}export (\w+)='?([^'\n]*)'?$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(Object.keys(exported).sort()).toEqual(
      ['MARSHAL_CONFIG', 'MARSHAL_FROM_SOURCES', 'MARSHAL_PREFIX', 'REDIS_URL'].sort(),
    );
    expect(out).toContain(`  ${process.execPath} ${MARSHAL_BIN} status`);
    const runId = /^■ \S+ config-push — succeeded$[\s\S]*?Run `([^`]+)`/m.exec(out)?.[1];
    expect(runId).toBeDefined();

    const status = await exec(process.execPath, [MARSHAL_BIN, 'status'], {
      cwd: tmpdir(),
      env: { ...process.env, REDIS_URL: undefined, MARSHAL_PREFIX: undefined, ...exported },
      timeout: 60_000,
    });
    expect(status.stdout).toContain(runId);
    expect(status.stdout).toMatch(/succeeded/);

    // `marshal run` against it acts as Alice (the config maps this OS user); Bob approves in the console.
    const run = startMarshal(
      ['run', 'config-push', 'rate-limiter', 'to', 'role=api', '--canary', '1', '--batches', '100%'],
      { REDIS_URL: undefined, MARSHAL_PREFIX: undefined, ...exported },
      { cwd: tmpdir() },
    );
    procs.push(run);
    const [, second] = await run.waitFor(/▶ run (\S+): config-push requested by U0ALICE/, 'the run to start');
    await run.waitFor(/waits for approval/, 'the gate');
    const consoleUrl = /^Console: (http:\S+)\/$/m.exec(out)![1]!;
    await approveInConsoleAsBob(`${consoleUrl}/runs/${second}`);
    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toMatch(/run \S+ succeeded/);

    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    expect(left()).toEqual([]);
    const after = await exec(process.execPath, [MARSHAL_BIN, 'status'], {
      env: { ...process.env, ...exported },
      timeout: 60_000,
    }).catch((e: { code: number }) => e);
    expect(after).toMatchObject({ code: expect.any(Number) as number });
  }, 240_000);
});

/** What a newcomer does in the browser: pick Bob under "act as", then press Approve on the run page. */
async function approveInConsoleAsBob(runUrl: string): Promise<void> {
  const base = new URL(runUrl).origin;
  const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const anonymous = await fetch(runUrl).then((r) => r.text());
  const as = await fetch(`${base}/as`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', referer: runUrl },
    body: new URLSearchParams({ _csrf: csrfOf(anonymous), user: 'U0BOB' }),
  });
  expect(as.status).toBe(303);
  const cookie = as.headers.get('set-cookie')!.split(';')[0]!;
  const page = await fetch(runUrl, { headers: { cookie } }).then((r) => r.text());
  expect(page).toMatch(/signed in as <b id="viewer">U0BOB<\/b>/);
  const approve = await fetch(`${runUrl}/approve`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: csrfOf(page), gate: 'execution.approval' }),
  });
  expect(approve.status).toBe(303);
}

/** Polls until `check` holds; fails with what was seen when the process output never gets there. */
async function until(check: () => boolean, seen: () => string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not seen in time; output so far:\n${seen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
