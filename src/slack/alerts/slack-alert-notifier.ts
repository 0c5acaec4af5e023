import type { Notifier } from '../../notify/notifier.js';
import type { RunSnapshot } from '../../engine/model/run.js';
import type { Logger } from '../../log/index.js';
import { renderAlert, renderNote } from '../blocks/index.js';
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
    await this.post(input.runId, renderAlert(input), 'alert');
  }

  async note(input: { runId: string; title: string; text: string }): Promise<void> {
    await this.post(input.runId, renderNote(input), 'note');
  }

  private async post(runId: string, message: ReturnType<typeof renderNote>, what: string): Promise<void> {
    const thread = await this.deps.threads.get(runId);
    const channel = thread?.channel ?? (await this.deps.getRun(runId)).meta.channel;
    if (!channel) {
      this.deps.logger.warn({ runId }, `${what} not posted: the run has no Slack channel`);
      return;
    }
    await this.deps.chat.post(channel, message, thread?.ts);
  }
}
