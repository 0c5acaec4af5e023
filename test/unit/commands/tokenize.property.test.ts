import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandInputError } from '../../../commands/parse/command-input-error.js';
import { tokenize } from '../../../commands/parse/tokenize.js';

/** How a person would type a word so that it survives as one: double quotes, escaping " and \. */
const doubleQuoted = (word: string): string => `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const singleQuoted = (word: string): string => `'${word}'`;
const plainWord = fc.stringMatching(/^[A-Za-z0-9._:@/+=%,!*?-]{1,20}$/);
const separator = fc.stringMatching(/^[ \t\n]{1,3}$/);

describe('tokenize (properties)', () => {
  it('gives back every double-quoted word exactly, whatever it holds', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 16 }), { maxLength: 8 }), (words) => {
        expect(tokenize(words.map(doubleQuoted).join(' '))).toEqual(words);
      }),
    );
  });

  it("gives back single-quoted words that hold no ' exactly", () => {
    const noSingle = fc.string({ maxLength: 16 }).filter((w) => !/['’]/.test(w));
    fc.assert(
      fc.property(fc.array(noSingle, { maxLength: 8 }), (words) => {
        expect(tokenize(words.map(singleQuoted).join(' '))).toEqual(words);
      }),
    );
  });

  it('splits plain words on any run of white space, ignoring white space at either end', () => {
    fc.assert(
      fc.property(fc.array(plainWord, { maxLength: 10 }), separator, separator, (words, lead, gap) => {
        expect(tokenize(`${lead}${words.join(gap)}${lead}`)).toEqual(words);
      }),
    );
  });

  it('joins quoted and plain text that touch into one word (--reason="a b")', () => {
    fc.assert(
      fc.property(plainWord, fc.string({ maxLength: 12 }), (flag, value) => {
        expect(tokenize(`--${flag}=${doubleQuoted(value)}`)).toEqual([`--${flag}=${value}`]);
      }),
    );
  });

  it('answers any text with words or a CommandInputError about quotes, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (text) => {
        try {
          const words = tokenize(text);
          for (const w of words) expect(typeof w).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(CommandInputError);
        }
      }),
    );
  });
});
