import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseArgs, type FlagSpec } from '../../../commands/parse/args.js';
import { CommandInputError } from '../../../commands/parse/command-input-error.js';

const flagName = fc.stringMatching(/^[a-z][a-z-]{0,8}$/);
/** A positional word: anything that does not start with `--` (which would make it a flag). */
const positional = fc.string({ minLength: 1, maxLength: 10 }).filter((w) => !w.startsWith('--'));
/** A flag value: like a positional, but may hold `=` and start with one `-`. */
const value = fc.string({ minLength: 1, maxLength: 10 }).filter((w) => !w.startsWith('--'));

/** A command line: positionals and each flag of a spec at most once, in a random order. */
const commandLine = fc
  .uniqueArray(fc.tuple(flagName, fc.constantFrom('boolean' as const, 'value' as const)), {
    selector: ([name]) => name,
    maxLength: 5,
  })
  .chain((flags) =>
    fc.record({
      spec: fc.constant(Object.fromEntries(flags) as FlagSpec),
      given: fc.subarray(flags).chain((used) =>
        fc.tuple(
          ...used.map(([name, kind]) =>
            kind === 'boolean'
              ? fc.constant({ name, value: true as const, words: [`--${name}`] })
              : fc.tuple(value, fc.boolean()).map(([v, joined]) => ({
                  name,
                  value: v,
                  words: joined ? [`--${name}=${v}`] : [`--${name}`, v],
                })),
          ),
        ),
      ),
      positionals: fc.array(positional, { maxLength: 5 }),
    }),
  )
  .chain(({ spec, given, positionals }) =>
    fc
      .shuffledSubarray([...given.map((g) => ({ flag: g })), ...positionals.map((p) => ({ word: p }))], {
        minLength: given.length + positionals.length,
      })
      .map((order) => ({ spec, given, order })),
  );

describe('parseArgs (properties)', () => {
  it('gives back every flag given and the positionals in their order, wherever the flags stand', () => {
    fc.assert(
      fc.property(commandLine, ({ spec, given, order }) => {
        const words = order.flatMap((o) => ('flag' in o ? o.flag.words : [o.word]));
        const parsed = parseArgs(words, spec);
        expect(parsed.positionals).toEqual(order.flatMap((o) => ('word' in o ? [o.word] : [])));
        expect(Object.fromEntries(parsed.flags)).toEqual(
          Object.fromEntries(given.map((g) => [g.name, g.value])),
        );
      }),
    );
  });

  it('takes every word after a bare -- as positional, flags included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 10 }), { maxLength: 6 }), (rest) => {
        expect(parseArgs(['--', ...rest], { x: 'boolean' }).positionals).toEqual(rest);
      }),
    );
  });

  it('answers any words with parsed args or a CommandInputError naming a flag', () => {
    const word = fc.oneof(
      fc.string({ maxLength: 8 }),
      flagName.map((f) => `--${f}`),
      flagName.map((f) => `--${f}=x`),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (words) => {
        try {
          parseArgs(words, { canary: 'value', 'dry-run': 'boolean' });
        } catch (err) {
          expect(err).toBeInstanceOf(CommandInputError);
          expect((err as CommandInputError).part).toMatch(/^--/);
        }
      }),
    );
  });
});
