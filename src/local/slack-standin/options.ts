import { z } from 'zod';

/**
 * What a stand-in workspace holds and how strict it is. Seeded by tests and the local demo; validated
 * so that a typo in a fixture fails at start-up with the field named, not as a puzzling `user_not_found`.
 */
export const StandinUser = z.object({
  id: z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U012AB3CD'),
  name: z.string().min(1),
  realName: z.string().optional(),
  isBot: z.boolean().default(false),
  deleted: z.boolean().default(false),
  isAdmin: z.boolean().default(false),
  tz: z.string().default('Europe/London'),
});
export type StandinUser = z.infer<typeof StandinUser>;

export const StandinUsergroup = z.object({
  id: z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack usergroup id such as S0614TZR7'),
  handle: z.string().min(1),
  name: z.string().optional(),
  users: z.array(z.string()).default([]),
  disabled: z.boolean().default(false),
});
export type StandinUsergroup = z.infer<typeof StandinUsergroup>;

export const StandinChannel = z.object({
  id: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack conversation id such as C012AB3CD'),
  name: z.string().min(1),
  isPrivate: z.boolean().default(false),
  isArchived: z.boolean().default(false),
});
export type StandinChannel = z.infer<typeof StandinChannel>;

/**
 * Requests per minute per method, as Slack's tiers (docs.slack.dev/apis/web-api/rate-limits): Tier 2
 * 20+/min, Tier 3 50+/min, Tier 4 100+/min. `chat.postMessage` is "special": about one message per second
 * per channel with short bursts, here a token bucket. `chat.update` is Tier 3 and, like Slack in
 * practice, refuses edits of one message that come faster than `updatePerMessageMs`.
 */
export const StandinRateLimits = z.object({
  enabled: z.boolean().default(true),
  perMinute: z.record(z.string(), z.number().int().positive()).default({}),
  postMessageBurst: z.number().int().positive().default(10),
  postMessagePerChannelPerSecond: z.number().positive().default(1),
  updatePerMessageMs: z.number().int().nonnegative().default(1000),
  /** Floor of the `Retry-After` seconds the stand-in sends (Slack sends whole seconds). */
  minRetryAfterSec: z.number().int().nonnegative().default(1),
});
export type StandinRateLimits = z.infer<typeof StandinRateLimits>;

export const DEFAULT_TIER_PER_MINUTE: Readonly<Record<string, number>> = Object.freeze({
  'auth.test': 100,
  'chat.update': 50,
  'chat.postEphemeral': 100,
  'chat.getPermalink': 100,
  'users.info': 100,
  'usergroups.users.list': 20,
  'conversations.info': 50,
  'conversations.replies': 50,
  // Slack: Tier 4 (100+ per minute), per workspace.
  'views.publish': 100,
  'files.getUploadURLExternal': 100,
  'files.completeUploadExternal': 100,
});

export const StandinOptions = z.object({
  /** 0 or absent: a free port chosen by the kernel. Always bound to 127.0.0.1. */
  port: z.number().int().min(0).max(65535).default(0),
  token: z.string().regex(/^xoxb-[A-Za-z0-9-]+$/, 'a bot token such as xoxb-123-456-abc'),
  teamId: z.string().default('T0MARSHAL'),
  teamDomain: z.string().default('marshal-local'),
  botUserId: z.string().default('U0MARSHALBOT'),
  botId: z.string().default('B0MARSHAL'),
  users: z.array(StandinUser).default([]),
  usergroups: z.array(StandinUsergroup).default([]),
  channels: z
    .array(StandinChannel)
    .default([{ id: 'C0MARSHAL', name: 'marshal-ops', isPrivate: false, isArchived: false }]),
  rateLimits: StandinRateLimits.default(StandinRateLimits.parse({})),
});
export type StandinOptions = z.input<typeof StandinOptions>;
export type StandinSettings = z.infer<typeof StandinOptions>;
