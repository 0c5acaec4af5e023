import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BlockActionsBody,
  SlashCommandBody,
  ViewBody,
  classifyInbound,
} from '../../../src/slack/app/inbound-body.js';
import { ListenerRoutes } from '../../../src/slack/app/listener-routes.js';

const routes = new ListenerRoutes();
routes.add('command', '/config');
routes.add('command', '/ops');
routes.add('action', 'marshal_approve');
routes.add('action', /^marshal_(hold|abort)$/);
routes.add('view', { callback_id: 'marshal_reason' });

const press = {
  type: 'block_actions',
  user: { id: 'U0ALICE', team_id: 'T0MARSHAL' },
  team: { id: 'T0MARSHAL' },
  channel: { id: 'C0MARSHAL' },
  message: { ts: '1.000001' },
  actions: [{ type: 'button', action_id: 'marshal_approve', value: '{}', action_ts: '1.2' }],
};
const command = {
  command: '/config',
  text: 'push x to y',
  user_id: 'U0ALICE',
  channel_id: 'C0MARSHAL',
  trigger_id: '1.abc',
  team_id: 'T0MARSHAL',
};

/** Whatever is handed to Bolt carries the fields Bolt and the listeners read, with their types. */
function boltCanRead(body: unknown): boolean {
  const b = body as Record<string, unknown>;
  if (b.ssl_check === '1' || b.type === 'url_verification') return true;
  if (b.command !== undefined) return SlashCommandBody.safeParse(b).success;
  if (b.type === 'block_actions') return BlockActionsBody.safeParse(b).success;
  if (b.type === 'view_submission' || b.type === 'view_closed') return ViewBody.safeParse(b).success;
  return false;
}

describe('the inbound payload check', () => {
  it('answers any JSON value, never throws, and hands Bolt only what it can read', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const verdict = classifyInbound(body, routes);
        expect(['bolt', 'unknown', 'malformed']).toContain(verdict.kind);
        if (verdict.kind === 'bolt') expect(boltCanRead(body)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('a real button press or command with any one field replaced by any JSON value is answered', () => {
    const field = (o: Record<string, unknown>) => fc.constantFrom(...Object.keys(o));
    for (const base of [press, command] as Record<string, unknown>[])
      fc.assert(
        fc.property(field(base), fc.jsonValue(), (key, value) => {
          const body = { ...base, [key]: value };
          const verdict = classifyInbound(body, routes);
          if (verdict.kind === 'bolt') expect(boltCanRead(body)).toBe(true);
          // A null where Bolt reads a property is never handed to it.
          if (value === null && ['user', 'channel', 'actions', 'user_id'].includes(key))
            expect(verdict.kind).toBe('malformed');
        }),
        { numRuns: 1000 },
      );
  });

  it('what a listener takes goes to Bolt; the same shape for nobody is unknown, not malformed', () => {
    expect(classifyInbound(press, routes).kind).toBe('bolt');
    expect(classifyInbound({ ...press, actions: [{ action_id: 'marshal_abort' }] }, routes).kind).toBe(
      'bolt',
    );
    expect(classifyInbound({ ...press, actions: [{ action_id: 'other' }] }, routes)).toEqual({
      kind: 'unknown',
      what: 'block_actions other',
    });
    expect(classifyInbound(command, routes).kind).toBe('bolt');
    expect(classifyInbound({ ...command, command: '/nope' }, routes).kind).toBe('unknown');
    const view = { type: 'view_submission', user: { id: 'U1' }, view: { callback_id: 'marshal_reason' } };
    expect(classifyInbound(view, routes).kind).toBe('bolt');
    expect(classifyInbound({ ...view, view: { callback_id: 'x' } }, routes).kind).toBe('unknown');
  });

  it('names the field that is wrong', () => {
    expect(classifyInbound({ ...press, user: null }, routes)).toMatchObject({
      kind: 'malformed',
      problem: expect.stringMatching(/^user: /),
    });
    expect(classifyInbound(null, routes)).toEqual({
      kind: 'malformed',
      problem: 'the body is null, not an object',
    });
  });
});
