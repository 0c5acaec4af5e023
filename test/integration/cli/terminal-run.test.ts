import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoEnvironment } from '../../../src/local/demo/demo-environment.js';
import { testRedisUrl } from '../../support/redis.js';
import { sha256 } from '../../support/config-push-fixture.js';
import { marshalCli } from '../../support/marshal-cli.js';
import { CLI_USER, configWithCliAccess } from '../../support/cli-config.js';

const TARGET = '/etc/marshal-apps/rate-limiter/rate-limiter.yaml';

/** `marshal run` and `marshal status` as an operator types them: real processes, real fleet and Redis. */
describe('marshal run and status from a terminal', () => {
  let env: DemoEnvironment;
  let configPath: string;
  const marshal = marshalCli(
    () => ({ REDIS_URL: env.redisUrl, MARSHAL_CONFIG: configPath, MARSHAL_PREFIX: env.prefix }),
    90_000,
  );

  beforeAll(async () => {
    env = await DemoEnvironment.start({ hosts: 4, redisUrl: testRedisUrl() });
    // The terminal acts as CLI_USER, allowed to run config-push unattended.
    configPath = configWithCliAccess(env.configPath, {
      'config-push': { start: [CLI_USER], approve: [CLI_USER], unattended: true },
    });
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
  }, 400_000);

  it('refuses an OS user with no identity, a forged --as, a user without the start right, and an unallowed --auto-approve; starts nothing', async () => {
    const before = (await marshal(['status'])).stdout;
    const push = ['run', 'config-push', 'rate-limiter', 'to', 'role=web', '--canary', '1'];
    const as = (env2: Record<string, string>, path: string, args: string[]) =>
      marshalCli(
        () => ({ REDIS_URL: env.redisUrl, MARSHAL_CONFIG: path, MARSHAL_PREFIX: env.prefix, ...env2 }),
        90_000,
      )(args).catch((e: { stderr: string; code: number }) => e);

    // The demo's own config maps no OS user: the terminal has no identity.
    const unknown = await as({}, env.configPath, push);
    expect(unknown).toMatchObject({ code: 2 });
    expect((unknown as { stderr: string }).stderr).toMatch(
      /has no Marshal identity: map it in access\.cli\.users/,
    );

    // --as someone without a token for them.
    const forged = await as({ MARSHAL_CLI_TOKEN: 'guess' }, configPath, [
      'run',
      '--as',
      'U0SOMEBODY',
      ...push.slice(1),
    ]);
    expect((forged as { stderr: string }).stderr).toMatch(
      /--as U0SOMEBODY: access\.cli\.tokens .* lists no token/,
    );

    // Mapped, but not allowed to start, and config-push not allowed unattended.
    const narrow = configWithCliAccess(
      env.configPath,
      { 'config-push': { start: ['U0SOMEONEELSE'], approve: [CLI_USER] } },
      'marshal-narrow.yaml',
    );
    const notAllowed = await as({}, narrow, push);
    expect((notAllowed as { stderr: string }).stderr).toMatch(/You may not start `config-push`/);
    const noUnattended = configWithCliAccess(
      env.configPath,
      { 'config-push': { start: [CLI_USER], approve: [CLI_USER] } },
      'marshal-attended.yaml',
    );
    const auto = await as({}, noUnattended, [...push, '--auto-approve']);
    expect(auto).toMatchObject({ code: 2 });
    expect((auto as { stderr: string }).stderr).toMatch(/--auto-approve is not allowed for `config-push`/);
    // The control commands obey the same lists: nobody may abort a run as an unmapped user.
    const control = await as({}, env.configPath, ['abort', 'no-such-run']);
    expect((control as { stderr: string }).stderr).toMatch(/has no Marshal identity/);
    expect((await marshal(['status'])).stdout).toBe(before);
  }, 400_000);
});
