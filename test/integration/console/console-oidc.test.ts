import { mkdirSync } from 'node:fs';
import { get } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../support/chromium.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_REQUESTER,
  waitUntil,
} from '../../support/config-push-fixture.js';
import { TestOidcProvider } from '../../support/oidc-provider.js';

const ARTIFACTS = 'test-artifacts/console';
const SECRET_ENV = 'MARSHAL_TEST_CONSOLE_OIDC_SECRET';

/**
 * Issue #15: the console signs people in with OpenID Connect (openid-client) against a real provider
 * (oidc-provider) on loopback, in Debian's Chromium. Only the allowed group gets in; a signed-in person
 * acts as the Slack id the config maps them to, through the same Engine checks as Slack: Alice, who
 * requested the run, cannot approve it even with a forged POST (four-eyes); Bob can.
 */
describe('console OIDC sign-in in Chromium', () => {
  let provider: TestOidcProvider;
  let fixture: ConfigPushFixture;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let consoleUrl: string;
  let runId: string;

  beforeAll(async () => {
    provider = await TestOidcProvider.start([
      { email: 'alice@example.com', groups: ['ops'] },
      { email: 'bob@example.com', groups: ['ops', 'sre'] },
      { email: 'carol@example.com', groups: ['finance'] },
    ]);
    process.env[SECRET_ENV] = provider.clientSecret;
    fixture = await ConfigPushFixture.start({
      hosts: 2,
      console: {
        host: '127.0.0.1',
        port: 0,
        oidc: {
          issuer: provider.issuer,
          clientId: provider.clientId,
          clientSecretEnv: SECRET_ENV,
          scopes: ['openid', 'email', 'groups'],
          userClaim: 'email',
          groupsClaim: 'groups',
          allowedEmails: [],
          allowedGroups: ['ops'],
          sessionHours: 1,
        },
        users: { 'alice@example.com': DEMO_REQUESTER, 'bob@example.com': DEMO_APPROVER },
      },
    });
    consoleUrl = fixture.server.consoleUrl!;
    provider.registerClient(consoleUrl);
    browser = await launchChromium();
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
    await provider?.close();
    delete process.env[SECRET_ENV];
  });

  /** Opens `path` as someone new to this browser: the console sends them to the provider to sign in. */
  async function signIn(email: string, path: string): Promise<Page> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${consoleUrl}${path}`);
    expect(page.url().startsWith(provider.issuer)).toBe(true);
    await page.locator('input[name="login"]').fill(email);
    await page.locator('input[name="password"]').fill('not checked by the test provider');
    await page.locator('button[type="submit"]').click();
    // The provider asks once to share the email and groups with the console.
    const consent = page.locator('button:has-text("Continue")');
    await page.waitForURL((url) => url.href.startsWith(consoleUrl) || url.href.startsWith(provider.issuer));
    if (page.url().startsWith(provider.issuer)) await consent.click();
    await page.waitForURL((url) => url.href.startsWith(consoleUrl));
    return page;
  }

  it('sends a browser without a session to sign in, and refuses the event stream and controls', async () => {
    // What a browser sends when a person opens the page (fetch() would send its own sec-fetch-mode).
    const navigate = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
    const page = await rawGet(`${consoleUrl}/runs/${runId}`, navigate);
    expect(page.status).toBe(302);
    expect(page.location).toBe(`/auth/login?to=${encodeURIComponent(`/runs/${runId}`)}`);
    expect(
      (await fetch(`${consoleUrl}/runs/${runId}/live`, { headers: { accept: 'text/event-stream' } })).status,
    ).toBe(401);
    const post = await fetch(`${consoleUrl}/runs/${runId}/approve`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'gate=execution.approval',
    });
    expect(post.status).toBe(401);
    const forged = await rawGet(`${consoleUrl}/runs/${runId}`, {
      ...navigate,
      cookie: 'marshal_session=eyJ2Ijp7InVzZXIiOiJVMEJPQiJ9fQ.forged',
    });
    expect(forged.status).toBe(302);
  });

  it('lets no one in from outside the allowed groups', async () => {
    const page = await signIn('carol@example.com', '/');
    await expect(page.locator('#why').textContent()).resolves.toContain(
      "carol@example.com is not among the console's allowed emails or groups",
    );
    // Her session at the provider signs her in again at once, and the console refuses her again.
    const again = await page.goto(`${consoleUrl}/`);
    expect(again?.status()).toBe(403);
    await expect(page.locator('#why').textContent()).resolves.toContain('carol@example.com is not among');
    await page.close();
  });

  it('signs Alice in as the requester: she sees her run, no Approve, and a forged approval is refused', async () => {
    const page = await signIn('alice@example.com', `/runs/${runId}`);
    expect(page.url()).toBe(`${consoleUrl}/runs/${runId}`);
    await expect(page.locator('#viewer').textContent()).resolves.toBe(DEMO_REQUESTER);
    await expect(page.locator('#controls').textContent()).resolves.toContain('four-eyes');
    await expect(page.locator('button[data-control="approve"]').count()).resolves.toBe(0);
    const token = await page.locator('input[name="_csrf"]').first().getAttribute('value');
    // The same POST Bob's button makes, with Alice's session and her own valid token.
    const forged = await page.request.post(`${consoleUrl}/runs/${runId}/approve`, {
      form: { _csrf: token!, gate: 'execution.approval' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(303);
    expect(decodeURIComponent(forged.headers().location!)).toContain('four-eyes');
    expect((await fixture.server.marshal.engine.get(runId)).gates[0]!.state).toBe('waiting');
    await page.locator('form.sign-out button').click();
    await page.waitForURL(/signed-out/);
    const after = await page.request.get(`${consoleUrl}/`, {
      maxRedirects: 0,
      headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' },
    });
    expect(after.status()).toBe(302);
    expect(after.headers().location).toBe('/auth/login?to=%2F');
    await page.close();
  });

  it('signs Bob in: he sees the runs, approves in the browser, and the run moves on', async () => {
    const page = await signIn('bob@example.com', '/');
    await expect(page.locator('#viewer').textContent()).resolves.toBe(DEMO_APPROVER);
    await page.locator(`a[href="/runs/${runId}"]`).click();
    await page.locator('button[data-control="approve"]').click();
    await page.waitForURL(/notice=/);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Approved');
    await waitUntil(
      'the page to show the run succeeded',
      async () => ((await page.locator('#run-state').textContent()) === 'succeeded' ? true : undefined),
      100_000,
    );
    const run = await fixture.server.marshal.engine.get(runId);
    expect(run.gates[0]!.decidedBy).toBe(DEMO_APPROVER);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/oidc-bob-approved.png`, fullPage: true });
    await page.close();
  }, 150_000);
});

/** A GET with exactly these headers, not following redirects. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      res.resume();
      resolve({
        status: res.statusCode ?? 0,
        ...(res.headers.location ? { location: res.headers.location } : {}),
      });
    }).on('error', reject);
  });
}
