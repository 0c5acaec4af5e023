import type { Notifier, RunImage } from '../../notify/notifier.js';
import type { RunSnapshot } from '../../engine/model/run.js';
import type { Logger } from '../../log/index.js';
import { renderAlert } from '../blocks/index.js';
import type { SlackChat } from '../progress/slack-chat.js';
import type { ThreadStore } from '../progress/thread-store.js';

/**
 * Alerts a workflow raises (e.g. a bundle's owners on a failed push), posted in the run's progress
 * thread so the alert sits next to the evidence.
 */
export class SlackAlertNotifier implements Notifier {
  constructor(
    private readonly deps: {
      chat: SlackChat;
      threads: Pick<ThreadStore, 'get'>;
      getRun: (runId: string) => Promise<RunSnapshot>;
      logger: Logger;
    },
  ) {}

  async alert(input: { runId: string; to: readonly string[]; title: string; text: string }): Promise<void> {
    const where = await this.whereToPost(input.runId, 'alert');
    if (where) await this.deps.chat.post(where.channel, renderAlert(input), where.threadTs);
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
    what: 'alert' | 'image',
  ): Promise<{ channel: string; threadTs: string | undefined } | undefined> {
    const thread = await this.deps.threads.get(runId);
    const channel = thread?.channel ?? (await this.deps.getRun(runId)).meta.channel;
    if (!channel) {
      this.deps.logger.warn({ runId }, `${what} not posted: the run has no Slack channel`);
      return undefined;
    }
    return { channel, threadTs: thread?.ts };
  }
}
