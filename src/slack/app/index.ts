export { createSlackApp, type SlackApp, type SlackAppOptions } from './create-slack-app.js';
export type { SlackDeps } from './slack-deps.js';
export { EVENTS_PATH } from './guarded-http-receiver.js';
