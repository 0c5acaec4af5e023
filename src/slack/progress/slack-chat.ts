import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../blocks/index.js';

/** A file to share in a channel or thread. */
export interface SlackFile {
  filename: string;
  title: string;
  bytes: Buffer;
  altText?: string;
}

/** The Web API calls a progress thread needs; WebClient behind it in production. */
export interface SlackChat {
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** Shares a file (files upload v2: get an upload URL, send the bytes, complete into the thread). */
  upload(channel: string, file: SlackFile, threadTs?: string): Promise<void>;
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
    async upload(channel, file, threadTs) {
      const upload = {
        file: file.bytes,
        filename: file.filename,
        title: file.title,
        ...(file.altText ? { alt_text: file.altText } : {}),
      };
      await (threadTs
        ? client.filesUploadV2({ ...upload, channel_id: channel, thread_ts: threadTs })
        : client.filesUploadV2({ ...upload, channel_id: channel }));
    },
  };
}
