import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigPushFixture, messageText } from '../support/config-push-fixture.js';
import { expectReportedEqualsReal, pushWithFaultAtApproval } from './support/mid-run-fault.js';

/**
 * Issue #8 fault suite: Slack's Web API answering 429 (with Retry-After) and then 500 to every call in
 * the middle of a run. The run must not care; the thread must end right, with each milestone once.
 */
describe('Slack 429 and 500 storms during a run', () => {
  let f: ConfigPushFixture;
  beforeAll(async () => {
    f = await ConfigPushFixture.start({ hosts: 6 });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('the run completes, the thread ends correct, and the report matches every host', async () => {
    const web = f.webHosts;
    const result = await pushWithFaultAtApproval(
      f,
      () => {
        // The approval click itself and everything the run posts next meet the storms.
        // The 500 storm begins as the 429 one ends: every call refused with Retry-After 2 s is retried
        // inside it, so both storms are met whatever the run posts meanwhile.
        f.env.standin.rateLimitStorm({ durationMs: 2_000, retryAfterSec: 2 });
        setTimeout(() => f.env.standin.serverErrorStorm({ durationMs: 4_000 }), 2_000);
        return Promise.resolve();
      },
      { rollout: '--batches 50%,100% --delay 2s' },
    );
    const refused = f.env.standin.calls.filter((c) => c.status !== 200).map((c) => c.status);
    expect(refused).toContain(429);
    expect(refused).toContain(500);

    expect(result.run.state).toBe('succeeded');
    const [parent, ...replies] = await f.finalThread(result.run.runId);
    expect(messageText(parent!)).toContain('config-push succeeded');
    expect(messageText(parent!)).toContain(`${web.length} ok · 0 failed`);
    const texts = replies.map((m) => messageText(m));
    for (const milestone of [/Canary done/, /Batch 1\/2 done/, /Batch 2\/2 done/, /config-push succeeded/])
      expect({ milestone: String(milestone), posted: texts.filter((t) => milestone.test(t)).length }).toEqual(
        {
          milestone: String(milestone),
          posted: 1,
        },
      );

    expectReportedEqualsReal(f, result);
    for (const host of web) expect({ host, sha: f.hostSha(host) }).toEqual({ host, sha: f.bundleSha() });
  });
});
