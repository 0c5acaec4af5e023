import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderLineChart } from '../../../src/charts/index.js';
import { SlackStandin } from '../../../src/local/slack-standin/index.js';
import { SlackAlertNotifier } from '../../../src/slack/alerts/slack-alert-notifier.js';
import { webClientChat } from '../../../src/slack/progress/index.js';
import { silentLogger } from '../../../src/log/logger.js';

const TOKEN = 'xoxb-1-2-images';
const CHANNEL = 'C0MARSHAL';

describe('a run image (chart) posted in the run thread through files upload v2', () => {
  let standin: SlackStandin;
  beforeEach(async () => {
    standin = await SlackStandin.start({ token: TOKEN, rateLimits: { updatePerMessageMs: 0 } });
  });
  afterEach(() => standin.stop());

  it('uploads the PNG byte for byte and shares it as a reply in the thread, titled', async () => {
    const chat = webClientChat(new WebClient(TOKEN, { slackApiUrl: standin.url }));
    const parent = await chat.post(CHANNEL, { text: 'run r-1', blocks: [] });
    const notifier = new SlackAlertNotifier({
      chat,
      threads: { get: () => Promise.resolve({ channel: parent.channel, ts: parent.ts }) as never },
      getRun: () => Promise.reject(new Error('not needed: the thread is known')),
      logger: silentLogger(),
    });
    const png = await renderLineChart({
      title: 'dc1 on the new release',
      xLabel: 'time',
      yLabel: '% of hosts',
      series: [
        {
          name: 'dc1',
          points: [
            { x: 0, y: 0 },
            { x: 60_000, y: 50 },
          ],
        },
      ],
    });

    await notifier.image({ runId: 'r-1', title: 'dc1 on the new release', png, altText: '50% after 1 min' });

    const thread = standin.thread(parent.channel, parent.ts);
    expect(thread).toHaveLength(2);
    const shared = thread[1]!.files ?? [];
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatchObject({
      title: 'dc1 on the new release',
      mimetype: 'image/png',
      size: png.length,
    });
    const stored = standin.file(shared[0]!.id);
    expect(stored?.bytes?.equals(png)).toBe(true);
    expect(stored?.altText).toBe('50% after 1 min');
  });

  it('refuses to complete an upload whose bytes never arrived, as Slack does', async () => {
    const client = new WebClient(TOKEN, { slackApiUrl: standin.url });
    const reserved = await client.files.getUploadURLExternal({ filename: 'x.png', length: 10 });
    await expect(
      client.files.completeUploadExternal({ files: [{ id: reserved.file_id! }], channel_id: CHANNEL }),
    ).rejects.toMatchObject({ data: { error: 'file_not_found' } });
  });
});
