import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsafeArgument } from '../../../src/hosts/errors/unsafe-argument.js';
import { quote, sh } from '../../../src/hosts/quote.js';

/** Runs `text` in a real POSIX shell and returns what it printed. */
const runSh = (text: string): string => execFileSync('/bin/sh', ['-c', text], { encoding: 'utf8' });
/** The same, as the bytes the shell wrote: no decoding can hide a changed byte. */
const runShBytes = (text: string): Buffer => execFileSync('/bin/sh', ['-c', text]);

// Characters a shell treats specially, drawn often: uniform code points would almost never hold a `'`,
// and a quoting that forgot to escape it would pass.
const special = fc.constantFrom(...`'"\\$\`;|&()<>*?[]~#! \t{}=%`.split(''));
// Anything a shell argument can hold: every code point but NUL, and no line breaks (quote refuses those).
const shellSafe = fc
  .string({
    unit: fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
    maxLength: 24,
  })
  .filter((s) => !/[\0\r\n]/.test(s) && !/[\uD800-\uDFFF]/.test(s));

describe('quote (properties, through a real /bin/sh)', () => {
  it('makes every value exactly one literal word: the shell hands back what went in', () => {
    fc.assert(
      fc.property(fc.array(shellSafe, { minLength: 1, maxLength: 6 }), (values) => {
        // One shell per case: printf prints each argument followed by a NUL, which no value contains.
        const printed = runSh(sh`printf '%s\\0' ${values}`.text);
        expect(printed.split('\0').slice(0, -1)).toEqual(values);
      }),
      { numRuns: 60 },
    );
  });

  it('hands back the exact UTF-8 bytes of any text: quotes, backslashes, emoji, combining marks', () => {
    const unicode = fc.string({ unit: 'grapheme', maxLength: 16 }).filter((s) => !/[\0\r\n]/.test(s));
    fc.assert(
      fc.property(fc.oneof(unicode, shellSafe), (value) => {
        expect(runShBytes(`printf %s ${quote(value)}`).equals(Buffer.from(value, 'utf8'))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('never lets a value run a command, whatever metacharacters it holds', () => {
    const nasty = fc.constantFrom('$(id)', '`id`', '; id', '| id', '&& id', "'; id; '", '${PATH}', '*', '\\');
    fc.assert(
      fc.property(fc.array(fc.oneof(nasty, shellSafe), { minLength: 1, maxLength: 4 }), (parts) => {
        const value = parts.join('');
        expect(runSh(`printf '%s' ${quote(value)}`)).toBe(value);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses values with NUL or line breaks instead of passing them on', () => {
    fc.assert(
      fc.property(shellSafe, fc.constantFrom('\0', '\n', '\r'), shellSafe, (a, bad, b) => {
        expect(() => quote(`${a}${bad}${b}`)).toThrow(UnsafeArgument);
      }),
    );
  });
});
