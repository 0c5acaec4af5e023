import type { App } from '@slack/bolt';

/** What a Bolt listener is registered on: a name, a pattern, or a constraints object (action_id, …). */
type Constraint = unknown;

export type RouteKind = 'command' | 'action' | 'view' | 'event' | 'shortcut' | 'options';

/** Which field of a constraints object names the thing, per kind (Bolt's constraint objects). */
const ID_FIELD: Record<RouteKind, string> = {
  command: 'command',
  action: 'action_id',
  view: 'callback_id',
  event: 'type',
  shortcut: 'callback_id',
  options: 'action_id',
};

/**
 * What the Bolt app listens for, recorded as listeners are registered, so the receiver can answer a
 * well-formed request no listener would take at once (Bolt would hold it for its 3 s ack timeout, then
 * answer 404) and pass on only what some listener matches.
 */
export class ListenerRoutes {
  private readonly routes = new Map<RouteKind, Constraint[]>();

  add(kind: RouteKind, constraint: Constraint): void {
    this.routes.set(kind, [...(this.routes.get(kind) ?? []), constraint]);
  }

  /** True when a listener of `kind` may take `id`. A constraint this class cannot read matches all. */
  matches(kind: RouteKind, id: string): boolean {
    return (this.routes.get(kind) ?? []).some((c) => matchesConstraint(c, id, ID_FIELD[kind]));
  }
}

function matchesConstraint(constraint: Constraint, id: string, field: string): boolean {
  if (typeof constraint === 'string') return constraint === id;
  if (constraint instanceof RegExp) return new RegExp(constraint.source, constraint.flags).test(id);
  if (constraint && typeof constraint === 'object') {
    const named = (constraint as Record<string, unknown>)[field];
    if (named === undefined) return true;
    return matchesConstraint(named, id, field);
  }
  return true;
}

type Registrar = (...args: unknown[]) => unknown;

/**
 * Records every listener later registered on `app` (commands, actions, views, events and messages,
 * shortcuts, options) in `routes`, then registers it with Bolt as usual. Listeners stay where they are
 * written (commands/, interactions/); nothing there needs to know about the receiver.
 */
export function trackRoutes(app: App, routes: ListenerRoutes): void {
  const methods: [string, RouteKind, ((args: unknown[]) => Constraint) | undefined][] = [
    ['command', 'command', undefined],
    ['action', 'action', undefined],
    ['view', 'view', undefined],
    ['event', 'event', undefined],
    ['message', 'event', () => 'message'],
    ['shortcut', 'shortcut', undefined],
    ['options', 'options', undefined],
  ];
  const target = app as unknown as Record<string, Registrar>;
  for (const [method, kind, constraintOf] of methods) {
    const original = target[method]!.bind(app);
    target[method] = (...args: unknown[]) => {
      routes.add(kind, constraintOf ? constraintOf(args) : args[0]);
      return original(...args);
    };
  }
}
