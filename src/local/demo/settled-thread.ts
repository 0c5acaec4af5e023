import type { RunSnapshot } from '../../engine/index.js';
import type { SlackStandin, StoredMessage } from '../slack-standin/index.js';

/**
 * A finished run's thread once its last edit landed: the parent says the run's final state (its
 * fallback text is `<workflow> <state>: …`) and nothing in the thread changed for `quietMs` (longer
 * than the progress notifier's edit interval). Bounded: after `timeoutMs` the thread as it is.
 */
export async function settledThread(
  standin: Pick<SlackStandin, 'messages' | 'thread'>,
  channel: string,
  run: Pick<RunSnapshot, 'runId' | 'state'>,
  options: { quietMs?: number; timeoutMs?: number } = {},
): Promise<StoredMessage[] | undefined> {
  const quietMs = options.quietMs ?? 1500;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last = '';
  let sameSince = Date.now();
  for (;;) {
    const parent = standin
      .messages(channel)
      .find((m) => !m.threadTs && m.text.includes(`(run ${run.runId})`));
    const thread = parent ? standin.thread(channel, parent.ts) : undefined;
    const fingerprint = (thread ?? []).map((m) => `${m.ts}:${m.edits}`).join(',');
    if (fingerprint !== last) {
      last = fingerprint;
      sameSince = Date.now();
    }
    const final = parent !== undefined && parent.text.includes(` ${run.state}: `);
    if ((final && Date.now() - sameSince >= quietMs) || Date.now() > deadline) return thread;
    await new Promise((r) => setTimeout(r, 100));
  }
}
