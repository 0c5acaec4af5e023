export { ProgressNotifier, type ProgressNotifierOptions } from './progress-notifier.js';
export { RedisThreadStore } from './redis-thread-store.js';
export { webClientChat, type SlackChat, type SlackFile } from './slack-chat.js';
export type { ThreadStore, ThreadRef, ThreadRecord } from './thread-store.js';
