import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { codeSpan } from '../../../commands/parse/code-span.js';
import { CommandInputError } from '../../../commands/parse/command-input-error.js';
import { MARSHAL_USAGE } from '../../../commands/parse/marshal-command.js';
import { parseOpsCommand } from '../../../commands/parse/ops-command.js';
import { parseWorkflowWords } from '../../../commands/parse/workflow-command.js';
import { withUsage } from '../../../commands/parse/with-usage.js';
import { defineWorkflowModule } from '../../../src/kit/workflow-module.js';
import { thrownBy } from '../../support/refusal.js';

// Edges of the shared pieces every command parser uses: quoting the operator's word, the error's
// identity, usage lines, cron field counting, a rest positional after others, and which rollout
// flag a workflow's own schema refusal is pinned on.

describe('codeSpan', () => {
  it('turns backticks into quotes so the span cannot close early', () => {
    expect(codeSpan('a`b')).toBe("`a'b`");
    expect(thrownBy(CommandInputError, () => parseOpsCommand('status a`b')).problem).toBe(
      "`a'b` is not a run id",
    );
  });

  it('keeps a word of exactly `max` characters whole and cuts a longer one', () => {
    expect(codeSpan('x'.repeat(10), 10)).toBe(`\`${'x'.repeat(10)}\``);
    expect(codeSpan('x'.repeat(11), 10)).toBe(`\`${'x'.repeat(7)}...\``);
  });
});

describe('CommandInputError and withUsage', () => {
  it('is a non-retryable input error named CommandInputError', () => {
    const err = new CommandInputError('--x', 'is bad', 'nothing');
    expect(err.name).toBe('CommandInputError');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('--x: is bad. Allowed: nothing.');
  });

  it('adds the usage line to a refusal, keeps one it already has, and lets other errors through', () => {
    expect(
      thrownBy(CommandInputError, () =>
        withUsage('u1', () => {
          throw new CommandInputError('p', 'q', 'r');
        }),
      ).usage,
    ).toBe('u1');
    expect(
      thrownBy(CommandInputError, () =>
        withUsage('u1', () => {
          throw new CommandInputError('p', 'q', 'r', 'u0');
        }),
      ).usage,
    ).toBe('u0');
    const other = new RangeError('boom');
    expect(() =>
      withUsage('u1', () => {
        throw other;
      }),
    ).toThrow(other);
  });

  it('the /marshal usage line', () => {
    expect(MARSHAL_USAGE).toBe('/marshal run <workflow> … | /marshal help [<workflow>]');
  });
});

describe('/ops schedule counts cron fields by runs of spaces', () => {
  it.each(['" 0 3 * *"', '"0  3 * *"', '"0 3 * * "'])('refuses the 4-field cron %s', (cron) => {
    expect(thrownBy(CommandInputError, () => parseOpsCommand(`schedule n ${cron} w`)).part).toBe('<cron>');
  });
});

describe('workflow words', () => {
  const module = (params: z.ZodType) =>
    defineWorkflowModule({
      name: 'demo',
      summary: 'demo',
      params,
      syntax: {
        positionals: [
          { name: 'mode', help: 'how' },
          { name: 'hosts', help: 'hosts', rest: true },
        ],
        rollout: true,
      },
      workflow: () => ({ tasks: [] }) as never,
    });

  it('a rest positional takes only the words after the ones before it', () => {
    expect(parseWorkflowWords(module(z.object({}).passthrough()), ['fast', 'a', 'b'], '/d').params).toEqual({
      mode: 'fast',
      hosts: ['a', 'b'],
    });
  });

  it.each([
    ['canary', '--canary 1', '--canary'],
    ['batches', '--batches 1', '--batches'],
    ['soakMs', '--delay 1m', '--delay'],
    ['concurrency', '--concurrency 2', '--concurrency'],
    ['maxFailPercent', '--max-fail 5%', '--max-fail'],
    ['maxPer', '--max-per rack=1', '--max-per'],
    ['by', '--by az', '--by'],
  ])("pins the workflow's refusal of %s on %s", (key, flag, part) => {
    const strict = module(
      z
        .object({ [key]: z.unknown().refine((v) => v === undefined, 'is not for this workflow') })
        .passthrough(),
    );
    expect(
      thrownBy(CommandInputError, () => parseWorkflowWords(strict, ['m', 'h', ...flag.split(' ')], '/d')),
    ).toMatchObject({
      part,
      allowed: 'see the usage line',
    });
  });
});
