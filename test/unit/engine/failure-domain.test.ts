import { describe, expect, it } from 'vitest';
import { domainValue, MaxPerSchema } from '../../../src/engine/rollout/failure-domain.js';
import { planRollout } from '../../../src/engine/rollout/plan-rollout.js';
import { ValidationError } from '../../../src/errors/validation-error.js';
import { thrownBy } from '../../support/refusal.js';

describe('domainValue: a host’s single value of a failure-domain var', () => {
  const host = {
    region: 'eu-west-1',
    role: 'web',
    vars: { rack: 'r1', slot: 7, spare: false, disks: ['a', 'b'], bmc: { ip: '10.0.0.1' }, role: 'edge' },
  };

  it('reads text, numbers and booleans as text', () => {
    expect(domainValue(host, 'rack')).toBe('r1');
    expect(domainValue(host, 'slot')).toBe('7');
    expect(domainValue(host, 'spare')).toBe('false');
  });

  it('has no single value for a list, an object or a var the host does not have', () => {
    expect(domainValue(host, 'disks')).toBeUndefined();
    expect(domainValue(host, 'bmc')).toBeUndefined();
    expect(domainValue(host, 'power_feed')).toBeUndefined();
  });

  it('reads region and role from the host itself, unless a var of that name overrides it', () => {
    expect(domainValue(host, 'region')).toBe('eu-west-1');
    expect(domainValue(host, 'role')).toBe('edge');
    expect(domainValue({ role: 'db', vars: {} }, 'role')).toBe('db');
    expect(domainValue({ vars: {} }, 'region')).toBeUndefined();
    expect(domainValue({ name: 'x', vars: {} } as never, 'name')).toBeUndefined();
  });
});

describe('MaxPerSchema: --max-per VAR=N', () => {
  it('reads VAR=N with spaces around either side, and parses to itself', () => {
    expect(MaxPerSchema.parse(' rack = 12 ')).toEqual({ var: 'rack', n: 12 });
    expect(MaxPerSchema.parse('rack=1\t')).toEqual({ var: 'rack', n: 1 });
    expect(MaxPerSchema.parse({ var: 'az', n: 2 })).toEqual({ var: 'az', n: 2 });
  });

  it.each(['rack=1x', 'x rack=1', 'rack=1 2', 'ra ck=1', 'rack =a1', 'rack=', '=1'])('refuses %j', (text) => {
    expect(MaxPerSchema.safeParse(text).success).toBe(false);
  });
});

describe('planRollout refusals name the hosts and the flag', () => {
  const hosts = Array.from({ length: 8 }, (_, i) => `h${i + 1}`);

  it('one host without the var: "host … has", with the --max-per flag to fix', () => {
    const e = thrownBy(ValidationError, () =>
      planRollout(hosts, { canary: 0, batches: [1], maxPer: { var: 'rack', n: 1 } }, (t) =>
        t === 'h3' ? undefined : 'r1',
      ),
    );
    expect(e.issues).toEqual([
      {
        path: 'maxPer',
        message:
          "host h3 has no single value of inventory var 'rack'; --max-per rack=N needs every target to have one (set it in the inventory, or drop the flag)",
      },
    ]);
    expect(e.message).toMatch(/^rollout plan: /);
  });

  it('many hosts without the var: the first five and how many more, with the --by flag', () => {
    const e = thrownBy(ValidationError, () =>
      planRollout(hosts, { canary: 0, batches: [1], by: 'az' }, () => undefined),
    );
    expect(e.issues[0]?.path).toBe('by');
    expect(e.issues[0]?.message).toBe(
      "hosts h1, h2, h3, h4, h5 and 3 more have no single value of inventory var 'az'; --by az needs every target to have one (set it in the inventory, or drop the flag)",
    );
    const five = thrownBy(ValidationError, () =>
      planRollout(hosts.slice(0, 5), { canary: 0, batches: [1], by: 'az' }, () => undefined),
    );
    expect(five.issues[0]?.message).toMatch(/^hosts h1, h2, h3, h4, h5 have no single/);
  });

  it('a canary larger than the first value of --by: says how many that value has', () => {
    const e = thrownBy(ValidationError, () =>
      planRollout(hosts, { canary: 3, batches: [1], by: 'az' }, (t) =>
        t === 'h1' || t === 'h2' ? 'a' : 'b',
      ),
    );
    expect(e.issues).toEqual([
      {
        path: 'canary',
        message:
          'a canary of 3 hosts is more than az=a has (2); with by az no batch mixes values, so give a canary of at most 2',
      },
    ]);
    expect(e.message).toMatch(/^rollout plan: /);
    // Only the first value holds the canary: a later, smaller value is no reason to refuse.
    expect(
      planRollout(hosts, { canary: 2, batches: [1], by: 'az' }, (t) => (t === 'h8' ? 'b' : 'a')).canary,
    ).toEqual(['h1', 'h2']);
  });

  it('plans nothing for no targets, zone by zone too', () => {
    expect(planRollout([], { canary: 1, batches: [1], by: 'az' }, () => 'a')).toEqual({
      canary: [],
      batches: [],
    });
  });

  it('without maxPer, the plan carries no cap', () => {
    expect(planRollout(hosts, { canary: 0, batches: ['100%'], by: 'az' }, () => 'a')).toEqual({
      canary: [],
      batches: [hosts],
    });
  });

  it.each([
    ['canary', { canary: '150%', batches: [1] }, '"150%" is not a canary size'],
    ['canary', { canary: 'x%', batches: [1] }, '"x%" is not a canary size'],
    ['batches[0]', { canary: 0, batches: ['0%'] }, '"0%" is not a batch size'],
    ['batches[0]', { canary: 0, batches: ['120%'] }, '"120%" is not a batch size'],
    ['batches[0]', { canary: 0, batches: ['x'] }, '"x" is not a batch size'],
  ] as const)('refuses a bad %s by name and value', (path, strategy, message) => {
    const e = thrownBy(ValidationError, () => planRollout(hosts, strategy as never));
    expect(e.issues[0]?.path).toBe(path);
    expect(e.issues[0]?.message).toContain(message);
    expect(e.message).toMatch(/^rollout strategy: /);
  });
});
