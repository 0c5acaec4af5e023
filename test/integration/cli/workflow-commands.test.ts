import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { marshalCli } from '../../support/marshal-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'marshal-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A config that loads the test's module directory next to the built-ins; nothing in it is connected to.
// The files it names exist (they are checked when it loads), the inventory empty of hosts.
const configPath = join(dir, 'marshal.yaml');
writeFileSync(
  configPath,
  `inventory: inventory.yaml\nbundles: ${resolve('bundles')}\nworkflows: [${resolve('test/fixtures/workflow-modules')}]\n`,
);
writeFileSync(join(dir, 'inventory.yaml'), 'version: 1\nhosts: {}\n');

/** `marshal …` with only the given settings (none from the test's own environment). */
const marshal = (args: string[], env: Record<string, string | undefined> = {}) =>
  marshalCli(() => ({ MARSHAL_CONFIG: undefined, REDIS_URL: undefined, ...env }), 60_000)(args);

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the command to fail');
    },
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('marshal workflows, manifest and run --help, as real processes', () => {
  it('marshal workflows lists the built-ins and the loaded modules, from where, with usage', async () => {
    const { stdout } = await marshal(['workflows'], { MARSHAL_CONFIG: configPath });
    expect(stdout).toContain(`Workflows (config ${configPath})`);
    expect(stdout).toMatch(/config-push {2}Push a validated configuration bundle/);
    expect(stdout).toContain('from     built-in (workflows/config-push.ts)');
    expect(stdout).toContain(`from     ${resolve('test/fixtures/workflow-modules/tag-hosts.ts')}`);
    expect(stdout).toContain('usage    marshal run tag-hosts <tag> on <hosts>... [--dry-run]');
    expect(stdout).toContain('/tag <tag> on <hosts>...');
  });

  it('marshal manifest prints the committed manifest for the built-ins, and adds what modules claim', async () => {
    const builtIn = await marshal(['manifest']);
    expect(builtIn.stdout).toBe(readFileSync('slack-app-manifest.yaml', 'utf8'));
    const loaded = await marshal(['manifest', '--url', 'https://ops.example.org'], {
      MARSHAL_CONFIG: configPath,
    });
    expect(loaded.stdout).toContain('- command: /tag');
    expect(loaded.stdout).toContain('usage_hint: <tag> on <hosts>... [--dry-run]');
    // Every loaded workflow is named, alphabetically, within Slack's description length.
    expect(loaded.stdout).toMatch(/description: "Run a workflow: cert-radar, cert-renew, /);
    expect(loaded.stdout).toContain('url: https://ops.example.org/slack/events');
    expect(loaded.stdout).not.toContain('marshal.example.com');
  });

  it('marshal run --help lists every workflow with its usage and flags, and its own options', async () => {
    const { stdout } = await marshal(['run', '--help'], { MARSHAL_CONFIG: configPath });
    expect(stdout).toContain('--worker-concurrency N');
    expect(stdout).toContain('marshal run config-push <bundle> to <selector> [--canary N|N%]');
    expect(stdout).toContain('--concurrency N  targets worked on at once inside a batch');
    expect(stdout).toContain('marshal run tag-hosts <tag> on <hosts>... [--dry-run]');
    expect(stdout).toContain('<tag>  the tag: lower-case letters, digits and -');
  });

  it('refuses a workflow flag placed before the workflow name, pointing at both places', async () => {
    const e = await failure(
      marshal(['run', '--concurrency', '3', 'config-push', 'rate-limiter', 'to', 'web']),
    );
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('`--concurrency`: comes before the workflow name');
    expect(e.stderr).toContain('--worker-concurrency N');
  });

  it('refuses a flag the workflow does not have, with the workflow’s usage, before connecting anywhere', async () => {
    const e = await failure(
      marshal(['run', 'tag-hosts', 'blue', 'on', 'h-1', '--concurrency', '3'], {
        MARSHAL_CONFIG: configPath,
        // Never contacted: the words are refused first.
        REDIS_URL: 'redis://127.0.0.1:1',
      }),
    );
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('--concurrency: is not a flag of this command');
    expect(e.stderr).toContain('Allowed: --dry-run');
  });

  it('refuses an unknown workflow, listing the known ones closest first', async () => {
    const e = await failure(
      marshal(['run', 'tag-host', 'x'], { MARSHAL_CONFIG: configPath, REDIS_URL: 'redis://127.0.0.1:1' }),
    );
    expect(e.stderr).toContain('`tag-host` is not a workflow of this Marshal');
    expect(e.stderr).toMatch(/one of `tag-hosts`, (`[a-z-]+`, )*`[a-z-]+` \(closest first\)/);
    for (const name of ['config-push', 'cert-renew', 'os-upgrade', 'dr-drill'])
      expect(e.stderr).toContain(`\`${name}\``);
  });
});
