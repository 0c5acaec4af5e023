import { describe, expect, it } from 'vitest';
import { parseClaimedCommand } from '../../../commands/parse/marshal-command.js';
import { loadWorkflowCatalog } from '../../../src/app/workflow-catalog.js';
import { ConfigPushParams } from '../../../workflows/config-push/params.js';

function issues(input: unknown): { path: string; message: string }[] {
  const result = ConfigPushParams.safeParse(input);
  if (result.success) throw new Error('params were accepted');
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('config-push params', () => {
  it('fills defaults: canary of one, 25% then the rest, 2 minute soak, 5 at once, no failures allowed', () => {
    expect(ConfigPushParams.parse({ bundle: 'rate-limiter', selector: 'role=gateway' })).toEqual({
      bundle: 'rate-limiter',
      selector: 'role=gateway',
      canary: 1,
      batches: ['25%', '100%'],
      soakMs: 120_000,
      concurrency: 5,
      maxFailPercent: 0,
    });
  });

  it('reads sizes typed in a slash command: "10%", "3" and a comma list', () => {
    const params = ConfigPushParams.parse({
      bundle: 'rate-limiter',
      selector: 'web',
      canary: '10%',
      batches: '1, 3,50%,100%',
      soakMs: '30s',
    });
    expect(params).toMatchObject({ canary: '10%', batches: [1, 3, '50%', '100%'], soakMs: 30_000 });
  });

  it('parses its own output to the same value, as the engine does on retries', () => {
    const once = ConfigPushParams.parse({
      bundle: 'rate-limiter',
      selector: 'web',
      canary: '5',
      batches: '2,25%',
      soakMs: '1m',
    });
    expect(ConfigPushParams.parse(once)).toEqual(once);
  });

  it('names each bad field and what is allowed', () => {
    expect(
      issues({
        bundle: '../etc',
        selector: ' ',
        canary: '150%',
        batches: [0],
        soakMs: '5 minutes',
        concurrency: 0,
        extra: 1,
      }),
    ).toEqual([
      { path: 'bundle', message: expect.stringContaining('lowercase letters') },
      { path: 'selector', message: 'name the hosts to push to: a host, a group or a selector' },
      {
        path: 'canary',
        message: expect.stringContaining('"150%" is not a whole number of hosts, or a percentage'),
      },
      { path: 'batches.0', message: expect.stringContaining('0 is not a whole number of hosts') },
      { path: 'soakMs', message: expect.stringContaining('"5 minutes" is not a duration') },
      { path: 'concurrency', message: 'must be from 1 to 50 hosts at once' },
      { path: '', message: expect.stringContaining('extra') },
    ]);
  });

  it('allows no canary, but never an empty batch list or a soak beyond 6 hours', () => {
    expect(ConfigPushParams.parse({ bundle: 'b', selector: 's', canary: 0 }).canary).toBe(0);
    expect(issues({ bundle: 'b', selector: 's', batches: [] })).toEqual([
      { path: 'batches', message: 'give at least one batch size' },
    ]);
    expect(issues({ bundle: 'b', selector: 's', soakMs: '7h' })).toEqual([
      { path: 'soakMs', message: 'must be at most 6h' },
    ]);
    expect(issues({ bundle: 'b', selector: 's', soakMs: 6 * 3_600_000 + 1 })).toEqual([
      { path: 'soakMs', message: 'must be at most 6h' },
    ]);
  });

  it('accepts exactly what `/config push` sends, every rollout flag included', async () => {
    const catalog = await loadWorkflowCatalog({ workflows: [], configDir: '/tmp' });
    const parsed = parseClaimedCommand(
      '/config',
      catalog.claims().get('/config')!,
      'push rate-limiter to role=gateway --canary 2 --batches 10%,100% --delay 30s --concurrency 8 --max-fail 5%',
    );
    if (parsed.kind !== 'run') throw new Error('not a push');
    const sent = parsed.params;
    expect(ConfigPushParams.parse(sent)).toEqual({
      bundle: 'rate-limiter',
      selector: 'role=gateway',
      canary: 2,
      batches: ['10%', '100%'],
      soakMs: 30_000,
      concurrency: 8,
      maxFailPercent: 5,
    });
  });
});
