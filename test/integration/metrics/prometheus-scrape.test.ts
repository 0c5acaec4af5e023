import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPrometheus } from '../../../src/local/prometheus.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_REQUESTER,
  waitUntil,
} from '../../support/config-push-fixture.js';

/**
 * Issue #15: a real Prometheus scrapes a running Marshal (`/metrics` on the same port as its Slack
 * endpoint), and PromQL through Prometheus's HTTP API returns the values of the run this test made.
 */
describe('Prometheus scraping marshal serve', () => {
  let fixture: ConfigPushFixture;
  let prom: LocalPrometheus;
  let runId: string;

  beforeAll(async () => {
    fixture = await ConfigPushFixture.start({ hosts: 4 });
    const reply = await fixture.sendCommand(
      DEMO_REQUESTER,
      'push rate-limiter to role=web --canary 1 --batches 100% --delay 1s',
    );
    runId = reply.runId!;
    const card = await fixture.waitForApprovalCard(runId);
    await fixture.press('marshal_approve', card, DEMO_APPROVER);
    await fixture.waitForRun(runId);
    prom = await LocalPrometheus.start({ targets: [`127.0.0.1:${fixture.server.port}`] });
  });
  afterAll(async () => {
    await prom?.stop();
    await fixture?.close();
  });

  /** Waits for Prometheus to have scraped a value for the query, then returns it by label set. */
  const scraped = (promql: string) =>
    waitUntil(`Prometheus to return ${promql}`, async () => {
      const samples = await prom.query(promql);
      return samples.length > 0 ? samples : undefined;
    });

  it('counts the run, its hosts and its approval, as the engine reported them', async () => {
    const run = await fixture.server.marshal.engine.get(runId);
    expect(run.state).toBe('succeeded');
    const changed = run.targets.filter((t) => t.changed).length;
    expect(changed).toBe(fixture.webHosts.length);

    const [finished] = await scraped(
      'sum(marshal_runs_finished_total{workflow="config-push",outcome="succeeded"})',
    );
    expect(finished!.value).toBe(1);
    const [started] = await scraped('sum(marshal_runs_started_total{workflow="config-push"})');
    expect(started!.value).toBe(1);
    const [hosts] = await scraped('sum(marshal_hosts_changed_total{workflow="config-push"})');
    expect(hosts!.value).toBe(changed);
    const [steps] = await scraped(
      'sum by (stage) (marshal_host_step_duration_seconds_count{workflow="config-push",outcome="ok"})',
    );
    expect(steps).toBeDefined();
    const byStage = await prom.query(
      'sum by (stage) (marshal_host_step_duration_seconds_count{workflow="config-push",outcome="ok"})',
    );
    expect(Object.fromEntries(byStage.map((s) => [s.metric.stage, s.value]))).toEqual({
      canary: 1,
      batch: changed - 1,
    });
    const [waits] = await scraped('sum(marshal_approval_wait_seconds_count{decision="approve"})');
    expect(waits!.value).toBe(1);
    const [failed] = await scraped('sum(marshal_hosts_failed_total) or vector(0)');
    expect(failed!.value).toBe(0);
  });

  it('counts Slack calls by method, SSH connections, and reports the queue', async () => {
    const posts = await scraped('marshal_slack_api_calls_total{method="chat.postMessage"}');
    expect(posts[0]!.value).toBeGreaterThan(0);
    const [ssh] = await scraped('marshal_ssh_connections_total');
    expect(ssh!.value).toBeGreaterThanOrEqual(changed());
    const queue = await scraped('marshal_queue_jobs');
    expect(queue.map((s) => s.metric.state).sort()).toEqual(['active', 'delayed', 'waiting']);
    const [health] = await prom.targets();
    expect(health!.health).toBe('up');
  });

  const changed = () => fixture.webHosts.length;
});
