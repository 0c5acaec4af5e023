import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CommandInputError } from '../../../commands/parse/command-input-error.js';
import { ROLLOUT_FLAGS, ROLLOUT_USAGE } from '../../../commands/parse/rollout-flags.js';
import {
  declaredFlags,
  parseWorkflowWords,
  readWorkflowWords,
  workflowHelpLines,
  workflowUsage,
} from '../../../commands/parse/workflow-command.js';
import type { CommandSyntax } from '../../../src/kit/command-syntax.js';
import { defineWorkflowModule } from '../../../src/kit/workflow-module.js';
import { thrownBy } from '../../support/refusal.js';

// The one parser of every workflow's words, read against small workflow modules declared here: each
// positional kind (literal, optional, rest, checked word), own flags, the rollout flags, a custom
// syntax, and the params schema's refusals naming the word or flag the value came from.

const module = (syntax: CommandSyntax, params: z.ZodType = z.record(z.string(), z.unknown())) =>
  defineWorkflowModule({
    name: 'demo',
    summary: 'a workflow for parser tests',
    params,
    syntax,
    workflow: () => ({ tasks: [] }) as never,
  });

const push = module(
  {
    positionals: [
      { name: 'bundle', help: 'a bundle name', word: z.string().regex(/^[a-z]+$/, 'is not lower-case') },
      { literal: 'to' },
      { name: 'target-set', help: 'an inventory selector' },
      { name: 'note', param: 'why', help: 'why, optionally', optional: true },
    ],
    flags: {
      force: { kind: 'boolean', help: 'skip the check' },
      'max-age': { kind: 'value', placeholder: 'days', help: 'oldest to keep' },
      owner: { kind: 'value', param: 'who', help: 'who owns it' },
    },
    rollout: true,
  },
  z.object({
    bundle: z.string(),
    targetSet: z.string().max(10, 'is longer than 10 characters'),
    why: z.string().optional(),
    force: z.boolean().optional(),
    maxAge: z.coerce.number().int('is not a whole number').optional(),
    who: z.string().min(3, 'is too short').optional(),
    canary: z.unknown().optional(),
    batches: z.unknown().optional(),
    soakMs: z.number().max(60_000, 'is longer than a minute').optional(),
    concurrency: z.number().max(5, 'is more than 5').optional(),
    maxFailPercent: z.number().optional(),
    maxPer: z.unknown().optional(),
    by: z.string().optional(),
    approvalTimeoutMs: z.number().optional(),
  }),
);

const hosts = module(
  {
    positionals: [{ name: 'hosts', help: 'one or more host names', rest: true }],
    flags: { mode: { kind: 'value', help: 'how' } },
  },
  z.object({ hosts: z.array(z.string()), mode: z.enum(['fast', 'slow']).optional() }),
);

const optionalRest = module({ positionals: [{ name: 'names', help: 'names', rest: true, optional: true }] });

const custom = module({
  usage: '<scenario> [--dry-run]',
  help: ['<scenario>  which drill'],
  parse: (words) => ({ params: { scenario: words[0] }, dryRun: words.includes('--dry-run') }),
});

const customNoHelp = module({ usage: '<x>', parse: () => ({ params: {}, dryRun: false }) });

describe('workflowUsage and workflowHelpLines', () => {
  it('show literals, optional words, own flags with placeholders, and the rollout flags', () => {
    expect(workflowUsage(push)).toBe(
      `<bundle> to <target-set> [<note>] [--force] [--max-age <days>] [--owner <value>] ${ROLLOUT_USAGE}`,
    );
    expect(workflowUsage(hosts)).toBe('<hosts>... [--mode <value>] [--dry-run]');
    expect(workflowUsage(optionalRest)).toBe('[<names>...] [--dry-run]');
    expect(workflowUsage(custom)).toBe('<scenario> [--dry-run]');
  });

  it('give one line per positional and flag, the rollout flags, and --dry-run last', () => {
    const lines = workflowHelpLines(push);
    expect(lines.slice(0, 6)).toEqual([
      '<bundle>  a bundle name',
      '<target-set>  an inventory selector',
      '<note>  why, optionally',
      '--force  skip the check',
      '--max-age <days>  oldest to keep',
      '--owner <value>  who owns it',
    ]);
    expect(lines.slice(6, -1).map((l) => l.split(' ')[0])).toEqual([
      '--canary',
      '--batches',
      '--delay',
      '--concurrency',
      '--max-fail',
      '--max-per',
      '--by',
    ]);
    expect(lines.at(-1)).toBe('--dry-run  plan every target and change nothing');
    expect(workflowHelpLines(hosts)).toEqual([
      '<hosts>  one or more host names',
      '--mode <value>  how',
      '--dry-run  plan every target and change nothing',
    ]);
  });

  it("give a custom syntax's own help lines, or none", () => {
    expect(workflowHelpLines(custom)).toEqual(['<scenario>  which drill']);
    expect(workflowHelpLines(customNoHelp)).toEqual([]);
  });
});

describe('declaredFlags', () => {
  it('a rollout takes its own flags and the rollout flags', () => {
    expect(declaredFlags(push.syntax as never)).toEqual({
      force: 'boolean',
      'max-age': 'value',
      owner: 'value',
      ...ROLLOUT_FLAGS,
    });
  });

  it('any other workflow takes its own flags and --dry-run', () => {
    expect(declaredFlags(hosts.syntax as never)).toEqual({ mode: 'value', 'dry-run': 'boolean' });
    expect(declaredFlags({ positionals: [] })).toEqual({ 'dry-run': 'boolean' });
  });
});

describe('parseWorkflowWords', () => {
  it('fills params from positionals (camelCase or their param) and flags, with the rollout flags read', () => {
    expect(
      parseWorkflowWords(
        push,
        [
          'web',
          'to',
          'role=web',
          'hotfix',
          '--force',
          '--max-age',
          '7',
          '--owner=ops',
          '--delay',
          '30s',
          '--dry-run',
        ],
        '/demo',
      ),
    ).toStrictEqual({
      params: {
        bundle: 'web',
        targetSet: 'role=web',
        why: 'hotfix',
        force: true,
        maxAge: '7',
        who: 'ops',
        soakMs: 30_000,
      },
      dryRun: true,
    });
  });

  it('leaves unset optional words and flags out, and is not a dry run without --dry-run', () => {
    expect(parseWorkflowWords(push, ['web', 'to', 'all'], '/demo')).toStrictEqual({
      params: { bundle: 'web', targetSet: 'all' },
      dryRun: false,
    });
  });

  it('a rest positional takes every remaining word; --dry-run works outside a rollout too', () => {
    expect(parseWorkflowWords(hosts, ['a', 'b', '--mode', 'fast', 'c', '--dry-run'], '/h')).toStrictEqual({
      params: { hosts: ['a', 'b', 'c'], mode: 'fast' },
      dryRun: true,
    });
    expect(parseWorkflowWords(optionalRest, [], '/o')).toStrictEqual({
      params: { names: [] },
      dryRun: false,
    });
  });

  it('hands a custom syntax the words as they are', () => {
    expect(readWorkflowWords(custom, ['db-failover', '--dry-run'])).toStrictEqual({
      params: { scenario: 'db-failover' },
      dryRun: true,
    });
  });

  it.each([
    [[], '<bundle>', 'is missing', 'a bundle name'],
    [['Web', 'to', 'x'], '<bundle>', '`Web` is not lower-case', 'a bundle name'],
    [['web'], '`to`', 'is missing', 'the word `to` here'],
    [['web', 'onto', 'x'], '`to`', 'found `onto` instead', 'the word `to` here'],
    [['web', 'to'], '<target-set>', 'is missing', 'an inventory selector'],
    [['web', 'to', 'x', 'y', 'z'], 'arguments', 'unexpected `z`', 'only the arguments in the usage line'],
  ])('refuses the words %j naming %s', (words, part, problem, allowed) => {
    const err = thrownBy(CommandInputError, () => parseWorkflowWords(push, words, '/demo push'));
    expect(err).toMatchObject({ part, problem, allowed, usage: `/demo push ${workflowUsage(push)}` });
  });

  it('cuts a long bad word to 60 characters in the refusal', () => {
    const err = thrownBy(CommandInputError, () =>
      parseWorkflowWords(push, ['A'.repeat(100), 'to', 'x'], '/d'),
    );
    expect(err.problem).toBe(`\`${'A'.repeat(57)}...\` is not lower-case`);
  });

  it('refuses a missing required rest positional', () => {
    expect(
      thrownBy(CommandInputError, () => parseWorkflowWords(hosts, ['--mode', 'fast'], '/h')),
    ).toMatchObject({
      part: '<hosts>',
      problem: 'is missing',
      allowed: 'one or more host names',
      usage: `/h ${workflowUsage(hosts)}`,
    });
  });

  it('refuses a flag the workflow does not take, e.g. a rollout flag outside a rollout', () => {
    expect(
      thrownBy(CommandInputError, () => parseWorkflowWords(hosts, ['a', '--canary', '1'], '/h')),
    ).toMatchObject({
      part: '--canary',
    });
  });

  it('refuses a bad rollout flag naming it', () => {
    expect(
      thrownBy(CommandInputError, () => parseWorkflowWords(push, ['web', 'to', 'x', '--delay', '30'], '/d')),
    ).toMatchObject({
      part: '--delay',
      problem: '`30` is not a duration with a unit',
    });
  });
});

describe("parseWorkflowWords: the params schema's refusals name where the value came from", () => {
  it.each([
    [
      ['web', 'to', 'abcdefghijk'],
      '<target-set>',
      '`abcdefghijk` is longer than 10 characters',
      'an inventory selector',
    ],
    [['web', 'to', 'x', '--max-age', '1.5'], '--max-age', '`1.5` is not a whole number', 'oldest to keep'],
    [['web', 'to', 'x', '--owner', 'me'], '--owner', '`me` is too short', 'who owns it'],
    [['web', 'to', 'x', '--delay', '2m'], '--delay', 'is longer than a minute', 'see the usage line'],
    [['web', 'to', 'x', '--concurrency', '6'], '--concurrency', 'is more than 5', 'see the usage line'],
  ])('%j → %s', (words, part, problem, allowed) => {
    expect(thrownBy(CommandInputError, () => parseWorkflowWords(push, words, '/d'))).toMatchObject({
      part,
      problem,
      allowed,
      usage: `/d ${workflowUsage(push)}`,
    });
  });

  it('names the flag of an enum refusal (a value from a flag is quoted)', () => {
    const err = thrownBy(CommandInputError, () => parseWorkflowWords(hosts, ['a', '--mode', 'medium'], '/h'));
    expect(err.part).toBe('--mode');
    expect(err.allowed).toBe('how');
    expect(err.problem.startsWith('`medium` ')).toBe(true);
  });

  it('a value that is not a string (a rest list) is not quoted', () => {
    const strict = module(
      { positionals: [{ name: 'hosts', help: 'hosts', rest: true }] },
      z.object({ hosts: z.array(z.string()).max(1, 'has more than one host') }),
    );
    expect(thrownBy(CommandInputError, () => parseWorkflowWords(strict, ['a', 'b'], '/s'))).toMatchObject({
      part: '<hosts>',
      problem: 'has more than one host',
      allowed: 'hosts',
    });
  });

  it('a key no word or flag fills is named as it is; an issue about the whole params names the arguments', () => {
    const extra = module({ positionals: [] }, z.object({ region: z.string({ message: 'is required' }) }));
    expect(thrownBy(CommandInputError, () => parseWorkflowWords(extra, [], '/e'))).toMatchObject({
      part: 'region',
      problem: 'is required',
      allowed: 'the words of the usage line',
    });
    const whole = module(
      { positionals: [] },
      z.object({}).refine(() => false, { message: 'cannot run today' }),
    );
    expect(thrownBy(CommandInputError, () => parseWorkflowWords(whole, [], '/w'))).toMatchObject({
      part: 'arguments',
      problem: 'cannot run today',
      allowed: 'the words of the usage line',
    });
  });

  it('a rollout key outside a rollout, or in a custom syntax, is named as the key', () => {
    const notRollout = module(
      { positionals: [] },
      z.object({ canary: z.string({ message: 'is required' }) }),
    );
    expect(thrownBy(CommandInputError, () => parseWorkflowWords(notRollout, [], '/n'))).toMatchObject({
      part: 'canary',
    });
    const customBad = module(
      { usage: '<x>', parse: () => ({ params: { bundle: 'x' }, dryRun: false }) },
      z.object({ bundle: z.string().min(2, 'is too short') }),
    );
    expect(thrownBy(CommandInputError, () => parseWorkflowWords(customBad, [], '/c'))).toMatchObject({
      part: 'bundle',
      problem: '`x` is too short',
      usage: '/c <x>',
    });
  });
});
