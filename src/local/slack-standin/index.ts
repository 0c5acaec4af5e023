export { SlackStandin, type RecordedCall } from './standin.js';
export { renderThreadAsText } from './render-thread.js';
export { SLACK_LIMITS, checkBlocks } from './block-limits.js';
export type { StoredMessage, StoredEphemeral, SharedFile } from './message-store.js';
export type { StoredFile } from './file-uploads.js';
export type { StormSpec } from './rate-limiter.js';
export type {
  StandinOptions,
  StandinUser,
  StandinUsergroup,
  StandinChannel,
  StandinRateLimits,
} from './options.js';
