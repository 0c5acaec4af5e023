import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BENCHES = ['run', 'engine-hop', 'slack-ack', 'slack-calls', 'ssh-executor', 'config-push'];
const tsx = (script: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', `bench/${script}.ts`, ...args], { timeout: 30_000 });

describe.concurrent('benchmark command lines', () => {
  it.each(BENCHES)('bench/%s.ts --help prints its usage and starts nothing', async (name) => {
    const { stdout } = await tsx(name, '--help');
    expect(stdout).toMatch(/--quick/);
  });

  it.each(BENCHES)('bench/%s.ts refuses a flag it does not know, with its usage', async (name) => {
    const failure = await tsx(name, '--hostz', '3').then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/--hostz/);
    expect(failure?.stderr).toMatch(/--quick/);
  });

  it('npm run bench refuses an unknown benchmark name, listing the known ones', async () => {
    const failure = await tsx('run', '--only', 'engine-hopp').then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('unknown benchmark engine-hopp; known: engine-hop');
  });
});
