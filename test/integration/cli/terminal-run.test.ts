import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoEnvironment } from '../../../src/local/demo/demo-environment.js';
import { testRedisUrl } from '../../support/redis.js';
import { sha256 } from '../../support/config-push-fixture.js';
import { marshalCli } from '../../support/marshal-cli.js';

const TARGET = '/etc/marshal-apps/rate-limiter/rate-limiter.yaml';

/** `marshal run` and `marshal status` as an operator types them: real processes, real fleet and Redis. */
describe('marshal run and status from a terminal', () => {
  let env: DemoEnvironment;
  const marshal = marshalCli(
    () => ({ REDIS_URL: env.redisUrl, MARSHAL_CONFIG: env.configPath, MARSHAL_PREFIX: env.prefix }),
    90_000,
  );

  beforeAll(async () => {
    env = await DemoEnvironment.start({ hosts: 4, redisUrl: testRedisUrl() });
  });
  afterAll(() => env?.stop());

  it('pushes a bundle with the slash command words, approved unattended, and status shows the run', async () => {
    const { stdout } = await marshal([
      'run',
      'config-push',
      'rate-limiter',
      'to',
      'role=web',
      '--canary',
      '1',
      '--batches',
      '100%',
      '--delay',
      '0s',
      '--auto-approve',
    ]);
    expect(stdout).toMatch(/execution\.approval approved by cli:auto-approve/);
    const runId = /run (\S+): config-push — succeeded/.exec(stdout)?.[1];
    expect(runId, stdout).toBeDefined();
    const wanted = sha256(readFileSync('bundles/rate-limiter/rate-limiter.yaml'));
    const roles = env.fleet.hosts.map((_, i) => (i % 4 === 3 ? 'api' : 'web'));
    env.fleet.hosts.forEach((host, i) => {
      const has = sha256(readFileSync(env.fleet.localPath(host, TARGET))) === wanted;
      expect({ host: host.name, has }).toEqual({ host: host.name, has: roles[i] === 'web' });
    });

    const status = await marshal(['status', runId!]);
    expect(status.stdout).toContain(`run ${runId}: config-push — succeeded`);
    expect(status.stdout).toContain('gate execution.approval: approved by cli:auto-approve');
  });

  it('refuses bad words with the part that was wrong, and starts nothing', async () => {
    const before = (await marshal(['status'])).stdout;
    const failure = await marshal([
      'run',
      'config-push',
      'rate-limiter',
      'to',
      'role=web',
      '--canary',
      'lots',
    ]).catch((e: { stderr: string; code: number }) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/--canary/);
    expect((await marshal(['status'])).stdout).toBe(before);
  });
});
