import { webApi } from '@slack/bolt';
import type { MarshalMetrics } from './marshal-metrics.js';

type MakeRequest = (url: string, ...rest: unknown[]) => Promise<unknown>;

/**
 * Counts this process's Slack Web API calls by method, and the 429s Slack answers them with (the
 * client retries those itself, so the call's result alone would hide them: its `rate_limited` event
 * says when one happened).
 *
 * Calls are counted in `makeRequest`, the one path every call takes (its retries happen inside it):
 * the client binds its `chat.postMessage`-style methods to `apiCall` when it is built, so wrapping
 * `apiCall` afterwards would miss them.
 */
export function instrumentSlackClient(client: webApi.WebClient, metrics: MarshalMetrics): void {
  const inner = client as unknown as { makeRequest: MakeRequest };
  const makeRequest = inner.makeRequest.bind(client);
  inner.makeRequest = (url, ...rest) => {
    metrics.slackCall(methodOf(url));
    return makeRequest(url, ...rest);
  };
  client.on(webApi.WebClientEvent.RATE_LIMITED, (_retrySec: number, request: { url?: string }) =>
    metrics.slackRateLimit(methodOf(request.url ?? '')),
  );
}

function methodOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1).split('?')[0] || 'unknown';
}
