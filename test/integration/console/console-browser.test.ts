import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../support/chromium.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_REQUESTER,
  waitUntil,
} from '../../support/config-push-fixture.js';

const ARTIFACTS = 'test-artifacts/console';
const HEADER = 'X-Forwarded-User';

/**
 * Issue #15: the console in a real browser (Debian's Chromium through playwright-core), behind a
 * trusted proxy header. Bob approves Alice's run in the browser and watches it move on live; Alice,
 * who requested it, is offered no Approve and is refused if she forges one (four-eyes, as in Slack).
 */
describe('the web console in Chromium', () => {
  let fixture: ConfigPushFixture;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let consoleUrl: string;
  let runId: string;

  beforeAll(async () => {
    fixture = await ConfigPushFixture.start({
      hosts: 4,
      console: {
        host: '127.0.0.1',
        port: 0,
        trustedHeader: HEADER,
        users: { 'alice@example.com': DEMO_REQUESTER, 'bob@example.com': DEMO_APPROVER },
      },
    });
    consoleUrl = fixture.server.consoleUrl!;
    browser = await launchChromium({ headers: { [HEADER]: 'bob@example.com' } });
    const reply = await fixture.sendCommand(
      DEMO_REQUESTER,
      'push rate-limiter to role=web --canary 1 --batches 100% --delay 1s',
    );
    runId = reply.runId!;
    await fixture.waitForEvent('the approval gate', (e) => e.runId === runId && e.type === 'gate.waiting');
  });
  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  const asAlice = (path: string, init: RequestInit = {}) =>
    fetch(`${consoleUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { [HEADER]: 'alice@example.com', ...(init.headers as Record<string, string>) },
    });

  it('refuses a request the proxy did not sign in', async () => {
    const res = await fetch(`${consoleUrl}/`);
    expect(res.status).toBe(401);
  });

  it('shows Alice her run without Approve (four-eyes) and refuses forged or cross-site controls', async () => {
    const page = await (await asAlice(`/runs/${runId}`)).text();
    expect(page).toContain('another approver has to approve it (four-eyes)');
    expect(page).not.toContain('data-control="approve"');
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const noToken = await asAlice(`/runs/${runId}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'gate=execution.approval',
    });
    expect(noToken.status).toBe(403);
    const crossSite = await asAlice(`/runs/${runId}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: `_csrf=${encodeURIComponent(token)}`,
    });
    expect(crossSite.status).toBe(403);
    const own = await asAlice(`/runs/${runId}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(token)}`,
    });
    expect(own.status).toBe(303);
    expect(decodeURIComponent(own.headers.get('location')!)).toContain('four-eyes');
    const run = await fixture.server.marshal.engine.get(runId);
    expect(run.gates[0]!.state).toBe('waiting');
  });

  it('lets Bob approve in the browser, and the page follows the run to its end live', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${consoleUrl}/runs/${runId}`);
    await expect(page.locator('#viewer').textContent()).resolves.toBe(DEMO_APPROVER);
    await expect(page.locator('[data-task]').count()).resolves.toBeGreaterThan(3);
    await page.locator('button[data-control="approve"]').click();
    await page.waitForURL(/notice=/);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Approved');
    // From here on the page is never reloaded: only the event stream moves it.
    await waitUntil(
      'the page to show the run succeeded',
      async () => ((await page.locator('#run-state').textContent()) === 'succeeded' ? true : undefined),
      100_000,
    ).catch(async (err: unknown) => {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/run-did-not-finish.png`, fullPage: true });
      const run = await fixture.server.marshal.engine.get(runId);
      throw new Error(
        `the page did not show the run succeeded (engine: ${run.state}; page: ${await page.locator('#run-state').textContent()})`,
        { cause: err },
      );
    });
    const rows = await page.locator('#hosts tbody tr').count();
    expect(rows).toBe(fixture.webHosts.length);
    // The counts above the grid followed the events too (the page opened with the canary alone done).
    await expect(page.locator('#hosts-done').textContent()).resolves.toBe(String(fixture.webHosts.length));
    await expect(page.locator('#hosts-failed').textContent()).resolves.toBe('0');
    await expect(page.locator('#hosts').textContent()).resolves.not.toContain('failed');
    const run = await fixture.server.marshal.engine.get(runId);
    expect(run.state).toBe('succeeded');
    expect(run.gates[0]!.decidedBy).toBe(DEMO_APPROVER);
    await waitUntil('the final thread in the page', async () =>
      (await page.locator('.thread .parent .b-header').textContent())?.includes('succeeded')
        ? true
        : undefined,
    ).catch(async (err: unknown) => {
      throw new Error(`panel: ${await page.locator('#panel').innerHTML()}`, { cause: err });
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/run-approved-by-bob.png`, fullPage: true });
    const live: {
      type: string;
      at: string;
      shownAt: number;
    }[] = await page.evaluate('window.__marshalLive');
    const lags = live.map((l) => l.shownAt - Date.parse(l.at)).sort((a, b) => a - b);
    expect(lags.length).toBeGreaterThan(0);
    const report = {
      events: lags.length,
      medianMs: lags[Math.floor(lags.length / 2)],
      p95Ms: lags[Math.floor(lags.length * 0.95)],
      maxMs: lags.at(-1),
    };
    writeFileSync(`${ARTIFACTS}/live-latency.json`, JSON.stringify(report, null, 2));
    console.log('console live-update latency (event emitted → page changed):', report);
    await page.close();
  }, 180_000);

  it('lists the run, filters by requester, shows locks and Bull Board read-only', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${consoleUrl}/?requester=${DEMO_REQUESTER}`);
    await expect(page.locator(`a[href="/runs/${runId}"]`).count()).resolves.toBe(1);
    await page.goto(`${consoleUrl}/?requester=U0NOBODY`);
    await expect(page.locator(`a[href="/runs/${runId}"]`).count()).resolves.toBe(0);
    await page.goto(`${consoleUrl}/locks`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Locks');
    const board = await page.goto(`${consoleUrl}/queues/`);
    expect(board?.status()).toBe(200);
    await page.close();
    const write = await fetch(`${consoleUrl}/queues/api/queues/jobs/clean`, {
      method: 'PUT',
      headers: { [HEADER]: 'bob@example.com' },
    });
    expect(write.status).toBe(405);
    // Both of the engine's queues: host work and control work (transitions, batch hand-outs, timeouts).
    const queues = (await (
      await fetch(`${consoleUrl}/queues/api/queues`, { headers: { [HEADER]: 'bob@example.com' } })
    ).json()) as { queues: { name: string }[] };
    expect(queues.queues.map((q) => q.name).sort()).toEqual(['control', 'jobs']);
  });

  it('shows freezes, schedules and locks, and lifts, removes and releases where the viewer may', async () => {
    const { marshal } = fixture.server;
    const audit = async () => marshal.audit.range(1, (await marshal.audit.head()).seq);
    const asDave = (path: string, init: RequestInit = {}) =>
      fetch(`${consoleUrl}${path}`, {
        ...init,
        redirect: 'manual',
        headers: { [HEADER]: 'dave@example.com', ...(init.headers as Record<string, string>) },
      });
    const forge = async (path: string, body: Record<string, string>) => {
      // His own valid token (every page carries it), so only the access check can refuse him.
      const token = /name="csrf-token" content="([^"]+)"/.exec(await (await asDave('/')).text())![1]!;
      const res = await asDave(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token, ...body }).toString(),
      });
      expect(res.status).toBe(303);
      return decodeURIComponent(res.headers.get('location')!);
    };
    await fixture.sendCommand(DEMO_APPROVER, 'freeze 2h database migration', '/ops');
    await fixture.sendCommand(
      DEMO_REQUESTER,
      'schedule nightly "0 3 * * *" config-push rate-limiter to role=web',
      '/ops',
    );
    // Dave is signed in but may do none of it: no buttons, and his forged POSTs change nothing.
    const davesFreezes = await (await asDave('/freezes')).text();
    expect(davesFreezes).toContain('database migration');
    expect(davesFreezes).not.toContain('data-control="lift-freeze"');
    expect(await forge('/freezes/lift', {})).toContain('You may not lift the freeze');
    expect(await (await asDave('/schedules')).text()).not.toContain('data-control="remove-schedule"');
    expect(await forge('/schedules/nightly/remove', {})).toContain('You may not remove nightly');
    // Bob may: he lifts the freeze, removes Alice's schedule and releases the lock in the browser.
    const page = await browser.context.newPage();
    await page.goto(`${consoleUrl}/freezes`);
    await expect(page.locator('#freeze').textContent()).resolves.toContain('database migration');
    await page.locator('button[data-control="lift-freeze"]').click();
    await page.waitForURL(/notice=/);
    await expect(page.locator('.notice').textContent()).resolves.toContain('The manual freeze is lifted');
    await expect(page.locator('#freeze').textContent()).resolves.toContain('No change freeze is in force');

    await page.goto(`${consoleUrl}/schedules`);
    await expect(page.locator('tr[data-schedule="nightly"]').textContent()).resolves.toContain('config-push');
    await page.locator('tr[data-schedule="nightly"] button[data-control="remove-schedule"]').click();
    await page.waitForURL(/notice=/);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Removed schedule nightly');
    await expect(page.locator('tr[data-schedule="nightly"]').count()).resolves.toBe(0);

    // A run that holds a lock, waiting at its gate: Dave may not release it, Bob may.
    const second = await fixture.sendCommand(
      DEMO_REQUESTER,
      'push rate-limiter to role=web --canary 1 --batches 100%',
    );
    expect(second.runId, second.text).toBeDefined();
    const lockedRun = second.runId!;
    await fixture.waitForEvent(
      'the second run at its gate',
      (e) => e.runId === lockedRun && e.type === 'gate.waiting',
    );

    expect(await marshal.engine.locks()).toContainEqual(
      expect.objectContaining({ name: 'bundle:rate-limiter', owner: lockedRun }),
    );
    expect(await (await asDave('/locks')).text()).not.toContain('data-control="release-lock"');
    expect(await forge('/locks/release', { lock: 'bundle:rate-limiter' })).toContain(
      `You cannot abort run ${lockedRun}`,
    );
    expect((await marshal.engine.get(lockedRun)).abortRequested).toBeFalsy();

    await page.goto(`${consoleUrl}/locks`);
    await page.locator('tr[data-lock="bundle:rate-limiter"] button[data-control="release-lock"]').click();
    await page.waitForURL(/notice=/);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Releasing bundle:rate-limiter');
    await waitUntil('the aborted run to free its lock', async () =>
      (await marshal.engine.locks()).length === 0 ? true : undefined,
    );
    await page.goto(`${consoleUrl}/locks`);
    await expect(page.locator('.empty').first().textContent()).resolves.toBe('No locks are held.');
    await page.close();

    expect((await marshal.engine.get(lockedRun)).state).toBe('aborted');
    const records = await audit();
    expect(records.find((r) => r.kind === 'ops.unfreeze')).toMatchObject({ actor: DEMO_APPROVER });
    expect(records.find((r) => r.kind === 'schedule.removed')).toMatchObject({
      actor: DEMO_APPROVER,
      data: { id: 'nightly' },
    });
  }, 120_000);
});
