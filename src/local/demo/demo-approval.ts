import { DemoInterrupted } from './demo-interrupted.js';

/**
 * The local run's approval gate: the newcomer decides as Bob, in the browser (the console, acting as
 * Bob), at the terminal (a question), or not at all (`--yes`). Whichever comes first wins; the others
 * are withdrawn. Every decision still goes through Marshal's own checks (four-eyes, access lists):
 * the console through the Engine, the terminal and `--yes` as Bob's signed click in the Slack thread.
 */

export interface GateDecision {
  decision: string;
  by: string;
}

export interface DemoApprovalOptions {
  /** Approve at once, as Bob, without asking. */
  autoApprove: boolean;
  /** Asks at the terminal; undefined when there is no terminal (then only the console decides). */
  ask: ((question: string, signal: AbortSignal) => Promise<string>) | undefined;
  /** Resolves when the gate was decided, whoever decided it (the console, a timeout). */
  decided: Promise<GateDecision>;
  /** Bob's click on the card in the thread. */
  press: (action: 'approve' | 'abort') => Promise<void>;
  /** The run's page in the console, where Bob can approve. */
  runUrl: string | undefined;
  approver: { id: string; name: string };
  print: (text: string) => void;
  /** Ctrl-C: stop waiting. */
  signal: AbortSignal;
}

export async function decideAtGate(o: DemoApprovalOptions): Promise<void> {
  const bob = o.approver;
  if (o.autoApprove) {
    o.print(`${bob.name}> (clicks Approve: --yes)`);
    await o.press('approve');
    return;
  }
  const lines = [
    '\nThe canary is done; the batches wait for an approval by someone other than the requester (alice).',
  ];
  if (o.runUrl)
    lines.push(
      `  In the browser: open ${o.runUrl}`,
      `  pick ${bob.id} (${bob.name}) under "act as" at the top, press "switch", then Approve.`,
    );
  lines.push(
    o.ask
      ? `  Or here, as ${bob.name}:`
      : '  (No terminal to ask in: waiting for the console. `--yes` approves unattended.)',
  );
  o.print(lines.join('\n'));

  const question = new AbortController();
  const stop = (): void => question.abort();
  o.signal.addEventListener('abort', stop, { once: true });
  try {
    const answered = o.ask
      ? o.ask(`Approve the batches as ${bob.name}? [Y/n] `, question.signal).then(
          (answer) => ({ answer }),
          () => new Promise<never>(() => {}), // withdrawn: the console decided, or Ctrl-C
        )
      : new Promise<never>(() => {});
    const first = await Promise.race([o.decided.then((d) => ({ decided: d })), answered, aborted(o.signal)]);
    if ('decided' in first) {
      o.print(`Decided in the console: ${first.decided.decision} by ${first.decided.by}.`);
      return;
    }
    if (/^n/i.test(first.answer.trim())) {
      o.print(`${bob.name}> (clicks Abort)`);
      await o.press('abort');
    } else {
      o.print(`${bob.name}> (clicks Approve)`);
      await o.press('approve');
    }
  } finally {
    question.abort();
    o.signal.removeEventListener('abort', stop);
  }
}

/** Rejects when the signal aborts (with its reason, a DemoInterrupted); never resolves. */
export function aborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = (): void =>
      reject(signal.reason instanceof Error ? signal.reason : new DemoInterrupted(String(signal.reason)));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
