import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../../src/config/deep-freeze.js';

describe('deepFreeze', () => {
  it('freezes every level, arrays included, and hands back the same value', () => {
    const value = { slack: { token: 'x' }, hosts: [{ name: 'web-01', tags: ['a'] }] };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.slack)).toBe(true);
    expect(Object.isFrozen(value.hosts[0]!.tags)).toBe(true);
  });

  it('handles cycles and leaves primitives alone', () => {
    const a: { self?: unknown } = {};
    a.self = a;
    expect(Object.isFrozen(deepFreeze(a))).toBe(true);
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBe(null);
  });
});
