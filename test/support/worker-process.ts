import { spawn, type ChildProcess } from 'node:child_process';

/** Starts test/support/engine-worker.ts as a real child process and waits until its Workers run. */
export async function spawnWorker(
  redisUrl: string,
  prefix: string,
  concurrency = 4,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/engine-worker.ts'], {
    env: {
      ...process.env,
      MARSHAL_REDIS_URL: redisUrl,
      MARSHAL_PREFIX: prefix,
      MARSHAL_CONCURRENCY: String(concurrency),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  return child;
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
