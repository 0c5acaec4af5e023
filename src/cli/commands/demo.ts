import { createInterface } from 'node:readline/promises';
import { runDemo } from '../../local/demo/run-demo.js';

/** `marshal demo`: the README's local run. Exit code 0 when the push succeeded. */
export async function demoCommand(options: { hosts: number; yes: boolean }): Promise<void> {
  const tty =
    process.stdin.isTTY && !options.yes
      ? createInterface({ input: process.stdin, output: process.stdout })
      : undefined;
  try {
    const run = await runDemo({
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
