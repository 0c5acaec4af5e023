import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttpCheck, runHttpSuite, type HttpCheck } from '../../../src/checks/http-check.js';
import { RegionBackend } from '../../../src/local/drill/region-backend.js';

const check = (over: Partial<HttpCheck> = {}): HttpCheck => ({
  name: 'health',
  path: '/healthz',
  method: 'GET',
  requests: 30,
  concurrency: 4,
  timeoutMs: 10_000,
  expect: { status: [200], contains: 'ok region=' },
  // Generous latency: on a loaded test machine only the deliberately slow server must miss it.
  thresholds: { maxErrorRate: 0.01, p95: 10_000 },
  ...over,
});

describe('the HTTP test suite against real servers', () => {
  let healthy: RegionBackend;
  let broken: RegionBackend;
  beforeAll(async () => {
    healthy = await RegionBackend.start('eu-west', 'west-1');
    broken = await RegionBackend.start('eu-central', 'central-1');
  });
  afterAll(async () => {
    await healthy?.stop();
    await broken?.stop();
  });

  it('passes a healthy server, every request sent and counted', async () => {
    const before = healthy.served;
    const result = await runHttpCheck(check(), healthy.url);
    expect(result.verdict).toEqual({ pass: true, breaches: [] });
    expect(result.summary).toMatchObject({ requests: 30, failures: 0, errorRate: 0 });
    expect(healthy.served - before).toBe(30);
  });

  it('fails an erroring server on its error rate, saying why requests failed', async () => {
    broken.behaviour = { kind: 'failing' };
    const result = await runHttpCheck(check(), broken.url);
    expect(result.verdict.pass).toBe(false);
    expect(result.verdict.breaches).toEqual(['error rate 100.0% over 1.0%']);
    expect(result.summary.failureReasons).toEqual([{ reason: 'status 503', count: 30 }]);
  });

  it('fails a slow server on p95', async () => {
    broken.behaviour = { kind: 'slow', delayMs: 300 };
    const result = await runHttpCheck(
      check({ requests: 8, thresholds: { maxErrorRate: 0, p95: 100 } }),
      broken.url,
    );
    expect(result.summary.p95).toBeGreaterThanOrEqual(300);
    expect(result.verdict).toMatchObject({
      pass: false,
      breaches: [expect.stringMatching(/^p95 \d+ ms over 100 ms$/)],
    });
  });

  it('counts a request past its timeout as failed', async () => {
    broken.behaviour = { kind: 'slow', delayMs: 3_000 };
    const result = await runHttpCheck(check({ requests: 2, concurrency: 2, timeoutMs: 100 }), broken.url);
    expect(result.summary.failureReasons).toEqual([{ reason: 'timeout after 100 ms', count: 2 }]);
  });

  it('fails a body without the expected content', async () => {
    const result = await runHttpCheck(
      check({ expect: { status: [200], contains: 'region=us-east' } }),
      healthy.url,
    );
    expect(result.summary.failureReasons).toEqual([{ reason: 'body without "region=us-east"', count: 30 }]);
  });

  it('stops sending when aborted, and gives no verdict', async () => {
    broken.behaviour = { kind: 'slow', delayMs: 200 };
    const before = broken.served;
    const controller = new AbortController();
    const run = runHttpSuite([check({ requests: 1_000, concurrency: 2 })], broken.url, controller.signal);
    setTimeout(() => controller.abort(new Error('operator aborted')), 300);
    await expect(run).rejects.toThrow('operator aborted');
    expect(broken.served - before).toBeLessThan(1_000);
  });

  it('a refused connection is a failure, not a crash', async () => {
    const gone = await RegionBackend.start('x', 'y');
    const url = gone.url;
    await gone.stop();
    const result = await runHttpCheck(check({ requests: 3 }), url);
    expect(result.summary.failureReasons).toEqual([{ reason: 'ECONNREFUSED', count: 3 }]);
  });
});
