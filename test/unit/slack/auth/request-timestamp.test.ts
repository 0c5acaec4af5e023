import { describe, expect, it } from 'vitest';
import { checkRequestTimestamp } from '../../../../src/slack/auth/request-timestamp.js';

const now = 1_700_000_000_000;
const sec = now / 1000;

describe('request timestamp window', () => {
  it.each([
    [String(sec), { ok: true }],
    [String(sec - 300), { ok: true }],
    [String(sec - 301), { ok: false, why: 'stale' }],
    [String(sec + 60), { ok: true }],
    [String(sec + 61), { ok: false, why: 'future' }],
    [String(sec + 3600), { ok: false, why: 'future' }],
    ['12.5', { ok: false, why: 'malformed' }],
    ['', { ok: false, why: 'malformed' }],
    [undefined, { ok: false, why: 'missing' }],
  ])('%s → %j', (header, verdict) => {
    expect(checkRequestTimestamp(header, now)).toEqual(verdict);
  });
});
