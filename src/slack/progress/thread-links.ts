import type { WebClient } from '@slack/web-api';
import type { AuditLinks } from '../../audit/audit-trail.js';
import type { ThreadStore } from './thread-store.js';

export interface ThreadLinksOptions {
  store: Pick<ThreadStore, 'get'>;
  client: Pick<WebClient, 'chat'>;
  /** How long a run's first record waits for its thread to be posted. */
  waitMs?: number;
  pollMs?: number;
}

/**
 * Permalinks (chat.getPermalink) of the Slack messages audit records belong to: a gate's card for the
 * gate's records, the run's thread for the rest. Permalinks never change, so each is asked for once.
 */
export function threadLinks(options: ThreadLinksOptions): AuditLinks {
  const cache = new Map<string, string>();
  const permalink = async (channel: string, ts: string): Promise<string | undefined> => {
    const key = `${channel}/${ts}`;
    const known = cache.get(key);
    if (known) return known;
    const res = await options.client.chat.getPermalink({ channel, message_ts: ts });
    if (!res.permalink) return undefined;
    if (cache.size > 5000) cache.clear();
    cache.set(key, res.permalink);
    return res.permalink;
  };
  return async (runId, { gateId, waitForThread }) => {
    const deadline = Date.now() + (waitForThread ? (options.waitMs ?? 10_000) : 0);
    let thread = await options.store.get(runId);
    while (!thread && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
      thread = await options.store.get(runId);
    }
    if (!thread) return undefined;
    const card = gateId ? thread.gateCards[gateId] : undefined;
    return permalink(thread.channel, card ?? thread.ts);
  };
}
