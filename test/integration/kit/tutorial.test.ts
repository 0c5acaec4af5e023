import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoEnvironment } from '../../../src/local/demo/demo-environment.js';
import { RedisAuditLog } from '../../../src/audit/index.js';
import { createLogger } from '../../../src/log/index.js';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../../support/redis.js';
import { CLI_USER, configWithCliAccess } from '../../support/cli-config.js';
import { marshalCli } from '../../support/marshal-cli.js';

const TUTORIAL = resolve('test/fixtures/tutorial');
const FILE = '/etc/marshal-apps/banner/banner.txt';

/**
 * docs/writing-workflows.md, step by step: its workflow (test/fixtures/tutorial/banner.ts, quoted whole
 * in the doc) is loaded by Marshal's real loader from the config's `workflows:` directory, dry-run and
 * then run on the local fleet with the same words the doc shows.
 */
describe('the writing-workflows tutorial', () => {
  let env: DemoEnvironment;
  let configPath: string;
  const marshal = marshalCli(() => ({
    REDIS_URL: env.redisUrl,
    MARSHAL_CONFIG: configPath,
    MARSHAL_PREFIX: env.prefix,
  }));

  beforeAll(async () => {
    env = await DemoEnvironment.start({ hosts: 4, redisUrl: testRedisUrl(), workflows: [TUTORIAL] });
    // The terminal's identity, allowed to run the banner unattended (`--auto-approve`).
    configPath = configWithCliAccess(env.configPath, {
      banner: { start: [CLI_USER], approve: [CLI_USER], unattended: true },
    });
    // What "installing the banner package" means for the tutorial: the directory exists on every host.
    for (const host of env.fleet.hosts)
      mkdirSync(env.fleet.localPath(host, '/etc/marshal-apps/banner'), { recursive: true });
  });
  afterAll(() => env?.stop());

  const banner = (i: number): string | null => {
    const path = env.fleet.localPath(env.fleet.hosts[i]!, FILE);
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  };
  // The demo inventory: every fourth host is an api host, the rest web.
  const web = (i: number): boolean => i % 4 !== 3;

  it('quotes the workflow the test runs, whole, so the doc cannot drift from working code', () => {
    const doc = readFileSync('docs/writing-workflows.md', 'utf8');
    const code = readFileSync(resolve(TUTORIAL, 'banner.ts'), 'utf8')
      .replace('import {\n', 'import {\n')
      .replace(/\/\/ In your own directory.*\n/, '')
      .replace("'../../../src/authoring/index.js'", "'marshal/authoring'")
      .replace(/^\/\/ ops-workflows.*\n/, '');
    expect(doc).toContain(code.trim());
  });

  it('marshal workflows shows it loaded from the directory', async () => {
    const { stdout } = await marshal(['workflows']);
    expect(stdout).toContain(`from     ${resolve(TUTORIAL, 'banner.ts')}`);
    expect(stdout).toContain('marshal run banner <message> to <selector>');
  });

  it('a dry run plans every web host and changes nothing', async () => {
    const { stdout } = await marshal([
      'run',
      'banner',
      'Maintenance tonight at 22:00',
      'to',
      'role=web',
      '--dry-run',
    ]);
    expect(stdout).toMatch(/banner \(dry run\) — succeeded/);
    // Every web host was planned (one batch, no canary or approval in a dry run).
    expect(stdout).toContain('execution batch 1/1: 3/3 done, 0 failed');
    env.fleet.hosts.forEach((_, i) => expect(banner(i)).toBeNull());
  });

  it('the run sets the banner on the web hosts only, approved, and the kit audits it', async () => {
    const { stdout } = await marshal([
      'run',
      'banner',
      'Maintenance tonight at 22:00',
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
    const runId = /run (\S+): banner — succeeded/.exec(stdout)?.[1];
    expect(runId, stdout).toBeDefined();
    env.fleet.hosts.forEach((host, i) =>
      expect({ host: host.name, banner: banner(i) }).toEqual({
        host: host.name,
        banner: web(i) ? 'Maintenance tonight at 22:00\n' : null,
      }),
    );
    const redis = new Redis(env.redisUrl);
    try {
      const audit = new RedisAuditLog(redis, env.prefix, createLogger({ level: 'silent' }));
      const finished = (await audit.entries(runId!)).find((e) => e.kind === 'banner.finished');
      expect(finished?.data).toMatchObject({
        approvedBy: 'cli:auto-approve',
        succeeded: true,
        rolledBack: false,
      });
    } finally {
      redis.disconnect();
    }
  });
});
