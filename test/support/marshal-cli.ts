import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * `marshal …` as an operator runs it: `node bin/marshal.js` in its own process, with `env` over the
 * test's environment (a variable set to undefined is removed). Rejects with stdout, stderr and the exit
 * code when the command fails.
 */
export function marshalCli(env: () => Record<string, string | undefined>, timeoutMs = 120_000) {
  return (args: string[]) =>
    exec('node', ['bin/marshal.js', ...args], { env: { ...process.env, ...env() }, timeout: timeoutMs });
}
