import { z } from 'zod';
import type { ListenerRoutes } from './listener-routes.js';

/**
 * The shapes of what Slack posts to `/slack/events`, as far as Bolt and Marshal's listeners read them.
 * Bolt dispatches on which keys a body has (`event`, `command`, `actions`, …) and reads some of them
 * without checking (`body.user.team_id`, `body.channel.id`, `'channel' in event`): a signed body with
 * `null` there is a TypeError inside Bolt (an unhandled rejection that ends the process, or a 500 that
 * Slack retries). Everything is checked here first; extra fields are allowed, as Slack adds them.
 */

const id = z.string().min(1).max(255);
/** Present and an object with an id, or absent. `null` is refused: Bolt reads `.id` of it. */
const withId = z.looseObject({ id });

export const SlashCommandBody = z.looseObject({
  command: z.string().regex(/^\/[^\s/]{1,64}$/, 'a slash command such as /config'),
  text: z.string().max(8_000).optional(),
  user_id: id,
  channel_id: id,
  trigger_id: id,
  team_id: id.optional(),
  response_url: z.string().max(2_000).optional(),
});

const BlockAction = z.looseObject({
  action_id: z.string().max(255),
  block_id: z.string().max(255).optional(),
  type: z.string().max(64).optional(),
  value: z.string().max(2_000).optional(),
  action_ts: z.string().max(64).optional(),
});

export const BlockActionsBody = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id, team_id: id.optional() }),
  actions: z.array(BlockAction).min(1).max(25),
  team: withId.nullish(),
  enterprise: withId.nullish(),
  channel: withId.optional(),
  message: z.looseObject({ ts: z.string().max(64) }).optional(),
  container: z.looseObject({}).optional(),
  view: z.looseObject({}).optional(),
  response_url: z.string().max(2_000).optional(),
  trigger_id: z.string().max(255).optional(),
});

export const ViewBody = z.looseObject({
  type: z.enum(['view_submission', 'view_closed']),
  user: z.looseObject({ id, team_id: id.optional() }),
  view: z.looseObject({ id: id.optional(), callback_id: z.string().max(255) }),
  team: withId.nullish(),
  enterprise: withId.nullish(),
});

export const EventBody = z.looseObject({
  type: z.string().max(64),
  event: z.looseObject({ type: z.string().max(64) }),
});

export const UrlVerificationBody = z.looseObject({
  type: z.literal('url_verification'),
  challenge: z.string().min(1).max(1_000),
});

/** Any other interaction or callback Slack sends: an object saying what it is. */
const TypedBody = z.looseObject({ type: z.string().min(1).max(64) });

export type InboundVerdict =
  /** A listener (or Bolt itself: ssl_check, url_verification) takes it. */
  | { kind: 'bolt'; what: string }
  /** Well-formed, but nothing listens for it: answered 200 at once (a slash command is told so). */
  | { kind: 'unknown'; what: string; command?: string }
  /** Not something Slack sends: answered 400 at once; `problem` says which field and why. */
  | { kind: 'malformed'; problem: string };

/**
 * Decides what to do with a verified, parsed request body: pure, total (any JSON value gets an answer,
 * nothing throws), and in the order Bolt dispatches, so what is checked is what Bolt will act on.
 */
export function classifyInbound(body: unknown, routes: ListenerRoutes): InboundVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return malformed(`the body is ${describe(body)}, not an object`);
  const b = body as Record<string, unknown>;
  if (b.ssl_check === '1') return { kind: 'bolt', what: 'ssl_check' };
  if (b.type === 'url_verification') return check(UrlVerificationBody, b, () => bolt('url_verification'));
  if (b.event !== undefined)
    return check(EventBody, b, (e) =>
      routes.matches('event', e.event.type)
        ? bolt(`event ${e.event.type}`)
        : unknown(`event ${e.event.type}`),
    );
  if (b.command !== undefined)
    return check(SlashCommandBody, b, (c) =>
      routes.matches('command', c.command)
        ? bolt(`command ${c.command}`)
        : { kind: 'unknown', what: `command ${c.command}`, command: c.command },
    );
  if (b.name !== undefined || b.type === 'block_suggestion')
    return check(TypedBody, b, (o) => unknown(`options request ${o.type}`));
  if (b.type === 'block_actions')
    return check(BlockActionsBody, b, (a) => {
      const ids = a.actions.map((x) => x.action_id);
      return ids.some((x) => routes.matches('action', x))
        ? bolt(`block_actions ${ids.join(',')}`)
        : unknown(`block_actions ${ids.join(',')}`);
    });
  // Legacy interactions (attachment buttons, dialogs): nothing in Marshal sends them.
  if (b.actions !== undefined || b.type === 'dialog_submission')
    return check(TypedBody, b, (t) => unknown(`legacy interaction ${t.type}`));
  if (b.type === 'view_submission' || b.type === 'view_closed')
    return check(ViewBody, b, (v) =>
      routes.matches('view', v.view.callback_id)
        ? bolt(`${v.type} ${v.view.callback_id}`)
        : unknown(`${v.type} ${v.view.callback_id}`),
    );
  return check(TypedBody, b, (t) => unknown(`payload type ${t.type}`));
}

function check<S extends z.ZodType>(
  schema: S,
  body: unknown,
  then: (parsed: z.infer<S>) => InboundVerdict,
): InboundVerdict {
  const parsed = schema.safeParse(body);
  if (parsed.success) return then(parsed.data);
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') || '(body)';
  return malformed(`${path}: ${issue?.message ?? 'invalid'}`);
}

const bolt = (what: string): InboundVerdict => ({ kind: 'bolt', what });
const unknown = (what: string): InboundVerdict => ({ kind: 'unknown', what });
const malformed = (problem: string): InboundVerdict => ({ kind: 'malformed', problem });

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
