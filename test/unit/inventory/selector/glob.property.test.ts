import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, GlobSyntaxError } from '../../../../src/inventory/selector/glob.js';

/**
 * The oracle: the same glob as a regular expression, built here from pieces whose meaning is known
 * (the matcher itself never builds one, as selector text comes from Slack).
 */
const pieces: [glob: string, regex: string][] = [
  ['a', 'a'],
  ['b', 'b'],
  ['-', '-'],
  ['.', '\\.'],
  ['*', '.*'],
  ['**', '.*'],
  ['?', '.'],
  ['[ab]', '[ab]'],
  ['[!a]', '[^a]'],
  ['[a-c]', '[a-c]'],
  ['[!b-c]', '[^b-c]'],
  ['[a-]', '[a\\-]'],
  ['[-b]', '[\\-b]'],
  ['[*?]', '[*?]'],
];
const glob = fc.array(fc.constantFrom(...pieces), { maxLength: 6 }).map((ps) => ({
  text: ps.map((p) => p[0]).join(''),
  regex: new RegExp(`^${ps.map((p) => p[1]).join('')}$`, 'su'),
}));
const name = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', '-', '.', '*', '?', 'é'), maxLength: 8 });

describe('globs (properties)', () => {
  it('match exactly the names the equivalent regular expression matches', () => {
    fc.assert(
      fc.property(glob, fc.array(name, { minLength: 1, maxLength: 10 }), (g, names) => {
        const match = compileGlob(g.text);
        for (const n of names) expect(match(n), `${g.text} on ${JSON.stringify(n)}`).toBe(g.regex.test(n));
      }),
      { numRuns: 500 },
    );
  });

  it('match a name against itself when it holds no glob characters, and nothing longer or shorter', () => {
    const plain = fc.string({
      unit: fc.constantFrom('a', 'b', '-', '.', 'é', '0'),
      minLength: 1,
      maxLength: 10,
    });
    fc.assert(
      fc.property(plain, fc.constantFrom('a', '-'), (text, extra) => {
        const match = compileGlob(text);
        expect(match(text)).toBe(true);
        expect(match(text + extra)).toBe(false);
        expect(match(extra + text)).toBe(false);
        expect(match(text.slice(0, -1))).toBe(false);
      }),
    );
  });

  it('refuse malformed classes with a GlobSyntaxError that says what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['a]', /']' without a matching '\['/],
      ['a[b', /'\[' without a closing '\]'/],
      ['a[]', /empty character class/],
      ['a[!]', /empty character class/],
      ['[a[b]', /'\[' inside a character class/],
      ['[c-a]', /range c-a is backwards/],
    ];
    for (const [text, message] of cases) {
      expect(() => compileGlob(text), text).toThrow(GlobSyntaxError);
      expect(() => compileGlob(text), text).toThrow(message);
    }
  });
});
