import type { Notifier, RunImage } from '../../notify/notifier.js';
import type { RunSnapshot } from '../../engine/model/run.js';
import type { Logger } from '../../log/index.js';
import { renderAlert, renderNote } from '../blocks/index.js';
import type { SlackChat } from '../progress/slack-chat.js';
import type { ThreadStore } from '../progress/thread-store.js';

/** How long an alert waits for its run's thread to be posted (by the serve process) before going without it. */
export const THREAD_WAIT_MS = 15_000;
const THREAD_POLL_MS = 100;

/**
 * Alerts a workflow raises (e.g. a bundle's owners on a failed push), posted in the run's progress
 * thread so the alert sits next to the evidence. A task can raise one before the serve process has posted
 * the thread's parent (a short run's first task, on a busy Slack channel): the alert then waits for the
 * thread, up to `threadWaitMs`, and only then goes to the channel on its own.
 */
export class SlackAlertNotifier implements Notifier {
  constructor(
    private readonly deps: {
      chat: SlackChat;
      threads: Pick<ThreadStore, 'get'>;
      getRun: (runId: string) => Promise<RunSnapshot>;
      logger: Logger;
      threadWaitMs?: number;
    },
  ) {}

  async alert(input: { runId: string; to: readonly string[]; title: string; text: string }): Promise<void> {
    const where = await this.whereToPost(input.runId, 'alert');
    if (where) await this.deps.chat.post(where.channel, renderAlert(input), where.threadTs);
  }

  async note(input: { runId: string; title: string; text: string }): Promise<void> {
    const where = await this.whereToPost(input.runId, 'note');
    if (where) await this.deps.chat.post(where.channel, renderNote(input), where.threadTs);
  }

  async image(input: RunImage): Promise<void> {
    const where = await this.whereToPost(input.runId, 'image');
    if (!where) return;
    const filename = `${input.title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'image'}.png`;
    await this.deps.chat.upload(
      where.channel,
      { filename, title: input.title, bytes: input.png, altText: input.altText },
      where.threadTs,
    );
  }

  private async whereToPost(
    runId: string,
    what: 'alert' | 'note' | 'image',
  ): Promise<{ channel: string; threadTs: string | undefined } | undefined> {
    let thread = await this.deps.threads.get(runId);
    if (thread) return { channel: thread.channel, threadTs: thread.ts };
    const channel = (await this.deps.getRun(runId)).meta.channel;
    if (!channel) {
      this.deps.logger.warn({ runId }, `${what} not posted: the run has no Slack channel`);
      return undefined;
    }
    // A run started from Slack gets its thread: wait for it rather than post beside it.
    const deadline = Date.now() + (this.deps.threadWaitMs ?? THREAD_WAIT_MS);
    while (!thread && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, THREAD_POLL_MS));
      thread = await this.deps.threads.get(runId);
    }
    if (thread) return { channel: thread.channel, threadTs: thread.ts };
    this.deps.logger.warn(
      { runId, waitedMs: this.deps.threadWaitMs ?? THREAD_WAIT_MS },
      `${what} posted in the channel: the run's thread was not posted in time`,
    );
    return { channel, threadTs: undefined };
  }
}
