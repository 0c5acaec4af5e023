import { createInterface } from 'node:readline/promises';

export interface DemoCommandOptions {
  hosts: number;
  yes: boolean;
  keep: boolean;
  verbose: boolean;
}

/**
 * `marshal demo`: the README's local run. Exit code 0 when the push succeeded, 1 when it did not or
 * the local run failed (one line saying why), 130 when interrupted. It always ends: whatever was
 * started is stopped and its files removed first, then the process exits, so a handle left open by
 * a failure cannot keep it waiting.
 */
export async function demoCommand(options: DemoCommandOptions): Promise<void> {
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
  const { DemoInterrupted } = await import('../../local/demo/demo-interrupted.js');
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second Ctrl-C while stopping: leave at once (the fleet's exit hook still kills its hosts).
    if (interrupt.signal.aborted) process.exit(130);
    process.stderr.write(`\n${signal}: stopping the local run (again to force)…\n`);
    interrupt.abort(new DemoInterrupted(signal));
    // Never hang on the way out: stopping takes seconds; past a minute something is stuck.
    setTimeout(() => {
      process.stderr.write('marshal demo: could not stop within 60 s; exiting anyway\n');
      process.exit(130);
    }, 60_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty =
    process.stdin.isTTY && !options.yes
      ? createInterface({ input: process.stdin, output: process.stdout })
      : undefined;
  // readline takes Ctrl-C for itself while it asks.
  tty?.on('SIGINT', () => onSignal('SIGINT'));
  let code: number;
  try {
    const run = await demo.runDemo({
      hosts: options.hosts,
      ask: tty ? (q, signal) => tty.question(q, { signal }) : undefined,
      autoApprove: options.yes,
      keep: options.keep,
      verbose: options.verbose,
      print: (text) => process.stdout.write(`${text}\n`),
      signal: interrupt.signal,
    });
    process.stdout.write(`\nRun ${run.runId} ${run.state}.\n`);
    code = run.state === 'succeeded' ? 0 : 1;
  } catch (err) {
    const interrupted = err instanceof DemoInterrupted;
    process.stderr.write(`marshal demo: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!interrupted && err instanceof Error && process.env.MARSHAL_DEBUG)
      process.stderr.write(`${err.stack}\n`);
    code = interrupted ? 130 : 1;
  } finally {
    tty?.close();
  }
  process.exit(code);
}
