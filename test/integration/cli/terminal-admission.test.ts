import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../../src/audit/index.js';
import { ChangeFreeze } from '../../../src/control/change-freeze.js';
import { DemoEnvironment } from '../../../src/local/demo/demo-environment.js';
import { silentLogger } from '../../../src/log/index.js';
import { CLI_USER, configWithCliAccess } from '../../support/cli-config.js';
import { startMarshal } from '../../support/marshal-process.js';
import { testRedisUrl } from '../../support/redis.js';

const PUSH = ['run', 'config-push', 'rate-limiter', 'to'];
const ROLLOUT = ['--canary', '1', '--batches', '100%', '--delay', '0s', '--auto-approve'];

/**
 * `marshal run` goes through the same admission as a slash command (src/control/admit-run.ts): per-target
 * access refuses before a run exists, naming the hosts outside; a change freeze refuses a start, except
 * for break-glass, which the terminal calls out and the audit records. Real processes, fleet and Redis.
 */
describe('marshal run: per-target access and the change freeze', { timeout: 180_000 }, () => {
  let env: DemoEnvironment;
  let redis: Redis;
  let limited: string;
  let breakGlass: string;
  const runs = () => redis.zcard(`${env.prefix}:runs`);
  const marshal = (config: string, args: string[]) => {
    const p = startMarshal(args, {
      REDIS_URL: env.redisUrl,
      MARSHAL_CONFIG: config,
      MARSHAL_PREFIX: env.prefix,
    });
    return p.exited.then(({ code }) => ({ code, stdout: p.stdout(), stderr: p.stderr() }));
  };

  beforeAll(async () => {
    // web-001..web-003 are role=web, api-004 is role=api.
    env = await DemoEnvironment.start({ hosts: 4, redisUrl: testRedisUrl() });
    redis = new Redis(env.redisUrl);
    const rights = { 'config-push': { start: [CLI_USER], approve: [CLI_USER], unattended: true } };
    limited = configWithCliAccess(env.configPath, rights, 'marshal-limited.yaml', {
      targets: [{ who: [CLI_USER], selector: 'role=web' }],
    });
    breakGlass = configWithCliAccess(env.configPath, rights, 'marshal-break-glass.yaml', {
      ops: { breakGlass: [CLI_USER] },
    });
  });
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  it('refuses a run whose targets fall outside the terminal identity’s selector, naming them; no run exists', async () => {
    const before = await runs();
    const out = await marshal(limited, [...PUSH, '*-00*', ...ROLLOUT]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('only on hosts in `role=web`');
    expect(out.stderr).toContain('Outside it: `api-004` (1 of 4 hosts)');
    expect(out.stderr).not.toContain('`web-001`');
    expect(await runs()).toBe(before);
  });

  it('a freeze refuses a start; break-glass passes, called out in the terminal and audited', async () => {
    const freeze = new ChangeFreeze(redis, env.prefix, []);
    await freeze.freeze(3_600_000, 'payments release', 'U0RELEASE');
    try {
      const before = await runs();
      const refused = await marshal(limited, [...PUSH, 'role=web', ...ROLLOUT]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('Changes are frozen');
      expect(refused.stderr).toContain('payments release');
      expect(await runs()).toBe(before);

      const passed = await marshal(breakGlass, [...PUSH, 'role=web', ...ROLLOUT]);
      expect(passed.stderr).toBe('');
      expect(passed.code).toBe(0);
      const runId = /BREAK-GLASS: \S+ started config-push \(run (\S+)\) during the change freeze until/.exec(
        passed.stdout,
      )?.[1];
      expect(runId, passed.stdout).toBeDefined();
      expect(passed.stdout).toContain(`run ${runId}: config-push — succeeded`);
      const audit = new RedisAuditLog(redis, env.prefix, silentLogger());
      const entries = await audit.entries(runId!);
      expect(entries.find((e) => e.kind === 'ops.break_glass')).toMatchObject({
        actor: CLI_USER,
        data: { workflow: 'config-push' },
      });
      expect(String(entries.find((e) => e.kind === 'ops.break_glass')?.data.freeze)).toContain(
        'payments release',
      );
    } finally {
      await freeze.lift();
    }
  });
});
