import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/log/index.js';

describe('redactUrl', () => {
  it('never shows a Redis password, and keeps the host, port and database', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9!$&'()*+,;=._~-]{6,30}$/),
        fc.option(fc.stringMatching(/^[a-z]{1,8}$/), { nil: undefined }),
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 0, max: 15 }),
        fc.constantFrom('redis', 'rediss'),
        (password, user, port, db, scheme) => {
          const url = `${scheme}://${user ?? ''}:${encodeURIComponent(password)}@cache.internal:${port}/${db}`;
          const shown = redactUrl(url);
          expect(shown).not.toContain(encodeURIComponent(password));
          expect(shown).toContain(`cache.internal:${port}/${db}`);
          expect(shown).toContain(`${scheme}://${user ?? ''}:***@`);
        },
      ),
    );
  });

  it('hides a lone user name too (old Redis takes it as the password) and leaves plain URLs alone', () => {
    expect(redactUrl('redis://s3cret@10.0.0.5:6379')).toBe('redis://***@10.0.0.5:6379');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('not a url //user:pw@x')).toBe('not a url //***@x');
  });
});
