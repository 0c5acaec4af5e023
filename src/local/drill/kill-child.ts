import type { ChildProcess } from 'node:child_process';

/** SIGKILLs a server the tests started and waits until it is gone (nothing when it already exited). */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
