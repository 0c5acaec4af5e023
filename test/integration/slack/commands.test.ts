import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPROVER,
  OUTSIDER,
  REQUESTER,
  startSlackAppFixture,
  until,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';
import { testRedisUrl } from '../../support/redis.js';
import { newTriggerId } from '../../../src/local/slack-standin/signed-requests.js';

let f: SlackAppFixture;
beforeAll(async () => {
  f = await startSlackAppFixture(testRedisUrl());
});
afterAll(() => f?.close());

/** The ack's own body: text plus blocks, where a refused command's explanation is. */
const ackText = (json: Record<string, unknown> | undefined): string =>
  `${String(json?.text)} ${JSON.stringify(json?.blocks)}`;

describe('slash commands over signed HTTP', () => {
  it.each([
    [
      '/config',
      'deploy nginx to web',
      [
        'subcommand',
        '`deploy` is not a /config subcommand',
        '`push` or `help`',
        'Usage: `/config push &lt;bundle&gt; to &lt;selector&gt;',
      ],
    ],
    [
      '/config',
      'push nginx to web --canary lots',
      ['--canary', '`lots` is neither a whole number nor a percentage', 'percentage of the hosts'],
    ],
    ['/config', 'push nginx to web --batches 1,,100%', ['--batches', '(item 2)', 'comma-separated']],
    [
      '/config',
      'push nginx to web --delay soon',
      ['--delay', '`soon` is not a duration with a unit', '30s, 5m or 1h'],
    ],
    ['/config', 'push nginx web-1', ['`to`', 'found `web-1` instead']],
    ['/config', 'push "nginx to web', ['quotes', 'never closed']],
    [
      '/marshal',
      'run config-push nginx to web --force',
      ['--force', 'is not a flag of this command', 'Usage: `/marshal run config-push &lt;bundle&gt;'],
    ],
    ['/ops', 'reboot r-1', ['`reboot` is not an /ops subcommand', '`runs`, `status`']],
    ['/ops', 'status', ['&lt;run&gt;', 'is missing', 'Usage: `/ops status &lt;run&gt;`']],
    ['/ops', 'retry r-1', ['--failed', 'is missing', 'Usage: `/ops retry &lt;run&gt; --failed`']],
  ])(
    '%s %s is refused in the ack with the part, what is allowed and the usage',
    async (command, text, expected) => {
      const before = (await f.engine.list({ limit: 100 })).length;
      const res = await f.command(REQUESTER, command, text);
      expect(res.status).toBe(200);
      expect(res.json?.response_type).toBe('ephemeral');
      for (const piece of expected) expect(ackText(res.json)).toContain(piece);
      expect(ackText(res.json)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
      expect((await f.engine.list({ limit: 100 })).length).toBe(before);
    },
  );

  it('/config push starts config-push with the parsed params for an allowed user', async () => {
    const res = await f.command(
      REQUESTER,
      '/config',
      'push nginx-base to web-1,web-2 --canary 1 --batches 50%,100% --delay 2s --dry-run',
    );
    expect(res.status).toBe(200);
    const started = await f.ephemeral(REQUESTER, 'Started `config-push` (dry run)');
    const runId = /run `([^`]+)`/.exec(started)![1]!;
    const run = await f.engine.get(runId);
    expect(run).toMatchObject({
      workflow: 'config-push',
      requester: REQUESTER,
      dryRun: true,
      params: {
        bundle: 'nginx-base',
        selector: 'web-1,web-2',
        canary: 1,
        batches: ['50%', '100%'],
        soakMs: 2000,
      },
      meta: { channel: 'C0MARSHAL' },
    });
  });

  it('refuses /config push to a user not allowed to start it, saying who is', async () => {
    const before = (await f.engine.list({ limit: 100 })).length;
    await f.command(OUTSIDER, '/config', 'push nginx to web-1');
    const text = await f.ephemeral(OUTSIDER, 'You may not start `config-push`');
    expect(text).toContain('subteam^S0STARTERS');
    expect((await f.engine.list({ limit: 100 })).length).toBe(before);
  });

  it('/ops help lists every command', async () => {
    const res = await f.command(OUTSIDER, '/ops', 'help', newTriggerId());
    expect(res.status).toBe(200);
    const help = await f.ephemeral(OUTSIDER, 'Marshal commands');
    for (const c of [
      '/marshal run config-push',
      '/config push',
      '/ops runs',
      '/ops status',
      '/ops hold',
      '/ops resume',
      '/ops abort',
      '/ops retry',
      '/ops locks',
    ]) {
      expect(help).toContain(c);
    }
  });

  it('/ops status, runs and locks show the engine’s view; an unknown run is named', async () => {
    const runId = await f.engine.start({
      workflow: 'config-push',
      params: { bundle: 'b', selector: 'web-7' },
      requester: REQUESTER,
    });
    await f.command(APPROVER, '/ops', `status ${runId}`);
    const status = await f.ephemeral(APPROVER, `\`${runId}\` config-push`);
    expect(status).toContain(`<@${REQUESTER}>`);
    await f.command(APPROVER, '/ops', 'runs --all');
    await until(
      () => f.ephemerals(APPROVER).filter((t) => t.includes(`\`${runId}\` config-push`)).length === 2,
    );
    await f.command(APPROVER, '/ops', 'locks');
    await f.ephemeral(APPROVER, 'No locks are held.');
    await f.command(APPROVER, '/ops', 'status r-does-not-exist');
    await f.ephemeral(APPROVER, 'r-does-not-exist');
  });

  it('/ops hold by someone who neither requested nor may approve the run is refused', async () => {
    const runs = await f.engine.list({ limit: 1 });
    await f.command(OUTSIDER, '/ops', `hold ${runs[0]!.runId}`);
    await f.ephemeral(OUTSIDER, 'You may not approve or control runs of `config-push`');
    expect((await f.engine.get(runs[0]!.runId)).holdRequested).toBe(false);
  });
});
