import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../blocks/index.js';

/** The two Web API calls a progress thread needs; WebClient behind it in production. */
export interface SlackChat {
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
}

/**
 * SlackChat over @slack/web-api. WebClient already waits out 429s (`Retry-After`) and retries; what
 * still fails after that reaches the notifier's own retry.
 */
export function webClientChat(client: WebClient): SlackChat {
  return {
    async post(channel, message, threadTs) {
      const res = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      if (!res.ts || !res.channel) throw new Error('chat.postMessage answered without channel or ts');
      return { channel: res.channel, ts: res.ts };
    },
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
    },
  };
}
