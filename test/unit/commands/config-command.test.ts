import { describe, expect, it } from 'vitest';
import { parseClaimedCommand } from '../../../commands/parse/marshal-command.js';
import { ROLLOUT_USAGE } from '../../../commands/parse/rollout-flags.js';
import { loadWorkflowCatalog } from '../../../src/app/workflow-catalog.js';

// `/config push` is the command the built-in config-push module claims, read by the kit's one parser.
const catalog = await loadWorkflowCatalog({ workflows: [], configDir: '/tmp' });
const parseConfigCommand = (text: string) =>
  parseClaimedCommand('/config', catalog.claims().get('/config')!, text);
const CONFIG_USAGE = `/config push <bundle> to <selector> ${ROLLOUT_USAGE}`;

describe('/config parsing', () => {
  it('parses a full push with every flag', () => {
    expect(
      parseConfigCommand(
        'push nginx-base to role=web --canary 10% --batches 1,10%,50%,100% --delay=30s --dry-run',
      ),
    ).toEqual({
      kind: 'run',
      workflow: 'config-push',
      params: {
        bundle: 'nginx-base',
        selector: 'role=web',
        canary: '10%',
        batches: [1, '10%', '50%', '100%'],
        soakMs: 30_000,
      },
      dryRun: true,
    });
  });

  it('reads --concurrency and --max-fail as the workflow params concurrency and maxFailPercent', () => {
    expect(parseConfigCommand('push nginx to web --concurrency 8 --max-fail=12.5% --delay 1h30m')).toEqual({
      kind: 'run',
      workflow: 'config-push',
      params: { bundle: 'nginx', selector: 'web', concurrency: 8, maxFailPercent: 12.5, soakMs: 5_400_000 },
      dryRun: false,
    });
  });

  it('leaves unset flags to the workflow and accepts a quoted selector', () => {
    expect(parseConfigCommand('push nginx-v2 to "env=prod role=web"')).toEqual({
      kind: 'run',
      workflow: 'config-push',
      params: { bundle: 'nginx-v2', selector: 'env=prod role=web' },
      dryRun: false,
    });
  });

  it('reads an empty text and `help` as help', () => {
    expect(parseConfigCommand('')).toEqual({ kind: 'help' });
    expect(parseConfigCommand('help')).toEqual({ kind: 'help' });
  });

  it.each([
    ['deploy x to y', 'subcommand', '`deploy` is not a /config subcommand', '`push` or `help`'],
    ['push', '<bundle>', 'is missing', 'bundle name'],
    ['push ../etc to web', '<bundle>', '`../etc` is not a bundle name', 'bundle name'],
    // The params schema is checked in the parse: a name the store can never have is refused naming the word.
    ['push nginx@v2 to web', '<bundle>', '`nginx@v2` must be lowercase letters', 'bundle name'],
    ['push nginx web', '`to`', 'found `web` instead', 'the word `to`'],
    ['push nginx to', '<selector>', 'is missing', 'inventory selector'],
    ['push nginx to web extra', 'arguments', 'unexpected `extra`', 'usage line'],
    [
      'push nginx to web --canary lots',
      '--canary',
      '`lots` is neither a whole number nor a percentage',
      'host count',
    ],
    ['push nginx to web --canary 120%', '--canary', '`120%` is out of range', 'percentage'],
    ['push nginx to web --batches 1,,50%', '--batches', '(item 2)', 'comma-separated'],
    ['push nginx to web --batches 0', '--batches', 'at least 1 host', 'comma-separated'],
    ['push nginx to web --delay 30', '--delay', '`30` is not a duration with a unit', '30s, 5m or 1h'],
    ['push nginx to web --delay 25h', '--delay', 'longer than 24h', 'at most 24h'],
    [
      'push nginx to web --force',
      '--force',
      'is not a flag of this command',
      '--canary, --batches, --delay, --dry-run',
    ],
    [
      'push nginx to web --concurrency 0',
      '--concurrency',
      '`0` must be at least 1',
      'hosts worked on at once',
    ],
    ['push nginx to web --concurrency 2.5', '--concurrency', 'is not a whole number', 'whole number'],
    ['push nginx to web --max-fail 10', '--max-fail', '`10` is not a percentage', 'from 0% to 100%'],
    ['push nginx to web --max-fail 120%', '--max-fail', '`120%` is more than 100%', 'from 0% to 100%'],
    [
      'push nginx to web --batches 0%',
      '--batches',
      '`0%` must be at least 1 host or more than 0%',
      'comma-separated',
    ],
    [
      'push nginx to web --batches 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21',
      '--batches',
      'has more than 20 batches',
      'comma-separated',
    ],
    ['push "nginx to web', 'quotes', 'never closed', 'quoted text'],
  ])('refuses %j: %s %s', (text, part, problem, allowed) => {
    expect(() => parseConfigCommand(text)).toThrowError(
      expect.objectContaining({
        part,
        problem: expect.stringContaining(problem),
        allowed: expect.stringContaining(allowed),
        usage: CONFIG_USAGE,
      }),
    );
  });
});
