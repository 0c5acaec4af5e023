import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** What Node does without the guard, and with it: a real process, a real unhandled rejection. */
const script = (guarded: boolean): string => `
import { createLogger } from './src/log/index.ts';
import { installProcessGuard } from './src/app/process-guard.ts';
${guarded ? 'installProcessGuard(createLogger());' : ''}
void Promise.reject(new Error('boom from a request'));
setTimeout(() => { throw new TypeError('boom from a callback'); }, 10);
setTimeout(() => console.log('still serving'), 200);
`;

describe('the process guard of marshal serve', () => {
  it('logs an unhandled rejection and an uncaught exception and keeps the process serving', async () => {
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script(true),
    ]);
    const lines = stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; err: string });
    expect(lines.map((l) => [l.msg, l.err])).toEqual([
      ['unhandled promise rejection; kept serving', 'Error: boom from a request'],
      ['uncaught exception; kept serving', 'TypeError: boom from a callback'],
    ]);
    expect(stdout).toContain('still serving');
  });

  it('without it, the same rejection ends the process (why the guard exists)', async () => {
    const failure = await run(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script(false),
    ]).catch((e: unknown) => e as { code: number; stdout: string });
    expect((failure as { code: number }).code).not.toBe(0);
    expect((failure as { stdout: string }).stdout).not.toContain('still serving');
  });
});
