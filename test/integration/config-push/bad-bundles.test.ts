import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigPushFixture, DEMO_REQUESTER } from '../../support/config-push-fixture.js';

/** A copy of bundles/rate-limiter under another name, with `edit` applied to its config file. */
function badBundle(root: string, name: string, edit: (config: string) => string): void {
  const dir = join(root, name);
  cpSync(resolve('bundles/rate-limiter'), dir, { recursive: true });
  const manifest = join(dir, 'bundle.yaml');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^name: rate-limiter$/m, `name: ${name}`));
  const config = join(dir, 'rate-limiter.yaml');
  const text = readFileSync(config, 'utf8');
  const edited = edit(text);
  if (edited === text) throw new Error(`the edit of ${name} changed nothing`);
  writeFileSync(config, edited);
}

describe('config push of an invalid bundle', () => {
  let f: ConfigPushFixture;
  let bundles: string;
  beforeAll(async () => {
    bundles = mkdtempSync(join(tmpdir(), 'marshal-bad-bundles-'));
    cpSync(resolve('bundles/rate-limiter'), join(bundles, 'rate-limiter'), { recursive: true });
    // The login route's rate as text ("5/min") where the schema wants a whole number.
    badBundle(bundles, 'rate-limiter-typed', (c) => c.replace(/(login:[\s\S]*?rate: )5\b/, "$1'5/min'"));
    // Schema-valid, but a rate of 0 blocks every login: the bundle's own rule forbids it.
    badBundle(bundles, 'rate-limiter-zero', (c) => c.replace(/(login:[\s\S]*?rate: )5\b/, '$10'));
    f = await ConfigPushFixture.start({ hosts: 6, bundlesDir: bundles });
  });
  afterAll(async () => {
    await f?.close();
    rmSync(bundles, { recursive: true, force: true });
  });

  const cases = [
    // The field path and the rule, in whichever order the reply shows them.
    { bundle: 'rate-limiter-typed', rule: /(?=[\s\S]*limits\.login\.rate)[\s\S]*(integer|number)/ },
    {
      bundle: 'rate-limiter-zero',
      rule: /(?=[\s\S]*limits\.login\.rate)[\s\S]*a rate limit of 0 blocks all traffic/,
    },
    // A typo: refused with every known bundle, the closest first.
    {
      bundle: 'rate-limitr',
      rule: /No bundle 'rate-limitr'[^\n]*known bundles, closest first: rate-limiter, rate-limiter-zero, rate-limiter-typed/,
    },
  ];
  for (const { bundle, rule } of cases) {
    it(`${bundle}: refused before a run exists, with the reason; no run, no alert, no host touched`, async () => {
      f.resetHosts();
      f.traceCommands(['uname', 'sha256sum', 'cat', 'df', 'cp', 'mv']);
      const before = f.fleetShas();
      const runsBefore = await f.server.marshal.engine.list({ limit: 100 });
      const postedBefore = f.env.standin.accepted('chat.postMessage').length;
      const reply = await f.sendCommand(DEMO_REQUESTER, `push ${bundle} to role=web --canary 1`);
      expect(reply.runId).toBeUndefined();
      expect(reply.text).toMatch(rule);
      expect(await f.server.marshal.engine.list({ limit: 100 })).toEqual(runsBefore);
      expect(f.env.standin.accepted('chat.postMessage').length).toBe(postedBefore);
      expect(f.fleetShas()).toEqual(before);
      for (const host of f.hosts)
        expect({ host: host.name, calls: f.tracedCalls(host.name) }).toEqual({ host: host.name, calls: [] });
    });
  }
});
