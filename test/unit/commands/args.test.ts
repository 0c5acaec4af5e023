import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../commands/parse/args.js';

const spec = { canary: 'value', 'dry-run': 'boolean' } as const;

describe('parseArgs', () => {
  it('reads --flag value, --flag=value and switches, leaving positionals in order', () => {
    const a = parseArgs(['push', '--canary', '2', 'x', '--dry-run'], spec);
    expect(a.positionals).toEqual(['push', 'x']);
    expect(a.flags.get('canary')).toBe('2');
    expect(a.flags.get('dry-run')).toBe(true);
    expect(parseArgs(['--canary=5%'], spec).flags.get('canary')).toBe('5%');
  });

  it('treats everything after -- as positional', () => {
    expect(parseArgs(['--', '--canary'], spec).positionals).toEqual(['--canary']);
  });

  it.each([
    [['--nope'], '--nope', 'is not a flag', '--canary, --dry-run'],
    [['--canary'], '--canary', 'needs a value', '--canary <value>'],
    [['--canary', '--dry-run'], '--canary', 'needs a value', '--canary <value>'],
    [['--canary='], '--canary', 'needs a value', '--canary <value>'],
    [['--dry-run=yes'], '--dry-run', 'takes no value', '--dry-run on its own'],
    [['--canary', '1', '--canary', '2'], '--canary', 'twice', 'each flag once'],
  ])('refuses %j naming %s', (words, part, problem, allowed) => {
    expect(() => parseArgs(words, spec)).toThrowError(
      expect.objectContaining({
        part,
        problem: expect.stringContaining(problem),
        allowed: expect.stringContaining(allowed),
      }),
    );
  });
});
