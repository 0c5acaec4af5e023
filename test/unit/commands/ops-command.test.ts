import { describe, expect, it } from 'vitest';
import { OPS_USAGE, OPS_USAGES, parseOpsCommand } from '../../../commands/parse/ops-command.js';

describe('/ops parsing', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['runs', { kind: 'runs', all: false }],
    ['runs --all', { kind: 'runs', all: true }],
    ['locks', { kind: 'locks' }],
    ['status r-1a2b', { kind: 'status', runId: 'r-1a2b' }],
    ['hold r-1', { kind: 'hold', runId: 'r-1' }],
    ['resume r-1', { kind: 'resume', runId: 'r-1' }],
    ['abort r-1', { kind: 'abort', runId: 'r-1' }],
    ['abort r-1 --keep', { kind: 'abort', runId: 'r-1', rollback: false }],
    ['abort r-1 --rollback', { kind: 'abort', runId: 'r-1', rollback: true }],
    ['retry --failed r-1', { kind: 'retry', runId: 'r-1' }],
  ])('parses %j', (text, expected) => {
    expect(parseOpsCommand(text)).toEqual(expected);
  });

  it.each([
    ['restart r-1', 'subcommand', '`restart` is not an /ops subcommand', '`runs`, `status`', OPS_USAGE],
    ['status', '<run>', 'is missing', 'run id', OPS_USAGES.status],
    ['status r-1 r-2', 'arguments', 'unexpected `r-2`', 'usage line', OPS_USAGES.status],
    ['status r/1', '<run>', '`r/1` is not a run id', 'run id', OPS_USAGES.status],
    ['retry r-1', '--failed', 'is missing', 'only the failed targets', OPS_USAGES.retry],
    ['abort r-1 --force', '--force', 'is not a flag', '--rollback', OPS_USAGES.abort],
    ['hold r-1 --rollback', '--rollback', 'is not a flag', 'no flags', OPS_USAGES.hold],
    ['locks now', 'arguments', 'unexpected `now`', 'usage line', OPS_USAGES.locks],
  ])('refuses %j: %s %s', (text, part, problem, allowed, usage) => {
    expect(() => parseOpsCommand(text)).toThrowError(
      expect.objectContaining({
        part,
        problem: expect.stringContaining(problem),
        allowed: expect.stringContaining(allowed),
        usage,
      }),
    );
  });
});
