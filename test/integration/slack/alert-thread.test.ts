import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../../../src/engine/model/run.js';
import { SlackStandin } from '../../../src/local/slack-standin/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { SlackAlertNotifier } from '../../../src/slack/alerts/slack-alert-notifier.js';
import { webClientChat, type ThreadRecord } from '../../../src/slack/progress/index.js';

const TOKEN = 'xoxb-1-2-alerts';
const CHANNEL = 'C0MARSHAL';

/**
 * A short run's task can raise an alert before the serve process has posted the run's thread: the alert
 * waits for the thread and lands in it, next to the evidence, not loose in the channel.
 */
describe('an alert raised before its run thread exists', () => {
  let standin: SlackStandin;
  beforeEach(async () => {
    standin = await SlackStandin.start({ token: TOKEN, rateLimits: { updatePerMessageMs: 0 } });
  });
  afterEach(() => standin.stop());

  const runInChannel = () => Promise.resolve({ meta: { channel: CHANNEL } } as unknown as RunSnapshot);
  const alert = { runId: 'r-1', to: ['U1'], title: 'Certificate status', text: 'www: serves 3f:aa…' };

  it('waits for the thread and posts the alert as a reply in it', async () => {
    const chat = webClientChat(new WebClient(TOKEN, { slackApiUrl: standin.url }));
    let thread: ThreadRecord | undefined;
    const notifier = new SlackAlertNotifier({
      chat,
      threads: { get: () => Promise.resolve(thread) },
      getRun: runInChannel,
      logger: silentLogger(),
    });
    const posting = notifier.alert(alert);
    // The serve process posts the parent a moment later.
    await new Promise((r) => setTimeout(r, 400));
    const parent = await chat.post(CHANNEL, { text: 'run r-1', blocks: [] });
    thread = { channel: parent.channel, ts: parent.ts, gateCards: {} };
    await posting;

    const replies = standin.thread(parent.channel, parent.ts);
    expect(replies).toHaveLength(2);
    expect(JSON.stringify(replies[1])).toContain('Certificate status');
    expect(standin.messages(CHANNEL)).toHaveLength(1);
  });

  it('posts in the channel on its own once the thread is overdue', async () => {
    const chat = webClientChat(new WebClient(TOKEN, { slackApiUrl: standin.url }));
    const notifier = new SlackAlertNotifier({
      chat,
      threads: { get: () => Promise.resolve(undefined) },
      getRun: runInChannel,
      logger: silentLogger(),
      threadWaitMs: 300,
    });
    await notifier.alert(alert);
    const top = standin.messages(CHANNEL);
    expect(top).toHaveLength(1);
    expect(JSON.stringify(top[0])).toContain('Certificate status');
  });
});
