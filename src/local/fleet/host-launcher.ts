import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Reads `<id>\t<script>\t<stderr file>` lines and starts each script in a mount namespace of its own, in
 * the background, answering `<id> <pid>`. Job control (`set -m`): each host gets a process group of its
 * own and, unlike a plain background job, does not ignore SIGINT and SIGQUIT; bash reaps the hosts that
 * end (their sshd's exit is seen as the pid going away).
 */
const LAUNCHER = `set -m
while IFS=$'\\t' read -r id script log; do
  unshare --mount --propagation private /bin/sh "$script" </dev/null >/dev/null 2>"$log" &
  echo "$id $!"
done`;

/**
 * Starts a fleet's hosts from one long-lived bash, not from this process. Node's spawn blocks its event
 * loop until the child has exec'd (15 to 70 ms each on a loaded 2-core machine), so 50 hosts coming back
 * from their reboots at once stalled this process, and the orchestrator sharing it, for seconds, and each
 * host waited for the spawns before its own. bash forks in the background and answers with the pid.
 */
export class HostLauncher {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<
    string,
    { resolve: (pid: number) => void; reject: (e: Error) => void }
  >();
  private next = 0;
  private ended: Error | undefined;

  constructor() {
    this.child = spawn('/bin/bash', ['-c', LAUNCHER], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout] as ({ unref?: () => void } | null)[]) s?.unref?.();
    this.child.stdin!.on('error', () => undefined);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const m = /^(\d+) (\d+)$/.exec(line);
      const w = m && this.waiting.get(m[1]!);
      if (!w) return;
      this.waiting.delete(m[1]!);
      w.resolve(Number(m[2]));
    });
    this.child.once('exit', (code, signal) => {
      this.ended = new Error(`the fleet's host launcher ended (${code ?? signal})`);
      for (const w of this.waiting.values()) w.reject(this.ended);
      this.waiting.clear();
    });
  }

  /** Runs `/bin/sh script` in a new mount namespace, its stderr to `stderrPath`; resolves with its pid. */
  launch(script: string, stderrPath: string): Promise<number> {
    if (this.ended) return Promise.reject(this.ended);
    for (const path of [script, stderrPath])
      if (/[\t\n]/.test(path)) throw new Error(`a fleet path cannot hold a tab or newline: ${path}`);
    const id = String(this.next++);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.stdin!.write(`${id}\t${script}\t${stderrPath}\n`);
    });
  }

  /** Lets the launcher end (hosts it started keep running until stopped). */
  close(): void {
    this.child.stdin?.end();
  }

  /** Synchronous, for process exit. */
  kill(): void {
    try {
      this.child.kill('SIGKILL');
    } catch {
      // gone already
    }
  }
}
