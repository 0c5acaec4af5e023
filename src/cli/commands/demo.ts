import { createInterface } from 'node:readline/promises';

/** `marshal demo`: the README's local run. Exit code 0 when the push succeeded. */
export async function demoCommand(options: { hosts: number; yes: boolean }): Promise<void> {
  // The demo starts the test fleet and Slack stand-in (src/local), which the production build leaves out.
  const demo = await import('../../local/demo/run-demo.js').catch((err: unknown) => {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return undefined;
  });
  if (!demo) {
    process.stderr.write(
      'marshal demo: this is the production build, which has no local fleet or Slack stand-in. Fix: run it from a checkout with `npm run demo`.\n',
    );
    process.exitCode = 2;
    return;
  }
  const tty =
    process.stdin.isTTY && !options.yes
      ? createInterface({ input: process.stdin, output: process.stdout })
      : undefined;
  try {
    const run = await demo.runDemo({
      hosts: options.hosts,
      ask: tty ? (q) => tty.question(q) : undefined,
      autoApprove: options.yes,
      print: (text) => process.stdout.write(`${text}\n`),
    });
    process.stdout.write(`\nRun ${run.runId} ${run.state}.\n`);
    process.exitCode = run.state === 'succeeded' ? 0 : 1;
  } finally {
    tty?.close();
  }
}
