import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AuditEntry } from '../audit/index.js';
import type { WorkflowRegistry } from '../engine/index.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log/index.js';
import { InvalidConfigError, type ConfigProblem } from '../config/invalid-config-error.js';
import { OidcSignIn } from './auth/oidc-sign-in.js';
import { isMarshalError } from '../errors/index.js';
import { scrubSecrets } from '../log/index.js';
import { isLoopback, type ConsoleConfig } from './console-config.js';
import { LiveEvents } from './live-events.js';
import { html } from './render/html.js';
import { layout, type PageContext } from './render/layout.js';
import { locksPage } from './render/locks-page.js';
import { freezesPage } from './render/freezes-page.js';
import { schedulesPage } from './render/schedules-page.js';
import type { FreezeWindow } from '../config/marshal-config.js';
import {
  liftFreeze,
  mayRemoveSchedule,
  mayUseOps,
  opsAllowed,
  removeSchedule,
  type FleetAccess,
} from '../control/fleet-actions.js';
import type { OpsControl } from '../control/ops-control.js';
import { runPage, runPanel, type RunView } from './render/run-page.js';
import { runsPage, runsTable, matches, type RunFilters } from './render/runs-page.js';
import {
  allowedControls,
  applyControl,
  ControlRefused,
  type AccessCheck,
  type Control,
} from './run-controls.js';
import { CONSOLE_CSS, CONSOLE_JS } from './static-assets.js';
import { ACT_AS_COOKIE, CsrfTokens, Unauthenticated, viewerOf, type Viewer } from './viewer.js';

/** Hosts shown on one page of a run's view. */
const HOSTS_PER_PAGE = 500;

export interface ConsoleDeps {
  config: ConsoleConfig;
  engine: Engine;
  registry: WorkflowRegistry;
  /** The same access lists Slack checks. */
  access: AccessCheck & FleetAccess;
  /** The fleet-wide controls Slack's `/ops freeze` and `/ops schedules` use, and the declared freeze windows. */
  fleet?: { control: OpsControl; windows: readonly FreezeWindow[] };
  audit: { entries(runId: string): Promise<AuditEntry[]> };
  /** The run's Slack thread as Slack shows it now, if it has one. */
  thread(runId: string): Promise<{ text: string; blocks: unknown[] }[] | undefined>;
  /** The BullMQ queues (host work, the engine's control jobs), shown read-only by Bull Board. */
  queues: readonly Queue[];
  logger: Logger;
  /** Where the OIDC client secret is read from (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface RunningConsole {
  readonly url: string;
  close(): Promise<void>;
}

const CONTROLS: readonly Control[] = ['approve', 'reject', 'hold', 'resume', 'abort', 'retry', 'rollback'];

/**
 * Refuses a console that would be reachable from other machines without authentication, that names two
 * ways of signing in, whose OIDC client secret is not in the environment, or that offers "act as"
 * anywhere but loopback. Returns the OIDC client secret, when OIDC is configured.
 */
export function checkConsoleConfig(
  config: ConsoleConfig,
  env: Record<string, string | undefined> = process.env,
): { oidcSecret: string | undefined } {
  const problems: ConfigProblem[] = [];
  if (config.oidc && config.trustedHeader)
    problems.push({
      where: 'console.oidc',
      problem: 'both OIDC sign-in and a trusted proxy header are configured',
      fix: 'Keep one: console.oidc when the console signs people in itself, console.trustedHeader when a proxy does',
    });
  const secretEnv = config.oidc?.clientSecretEnv;
  const oidcSecret = secretEnv ? env[secretEnv]?.trim() || undefined : undefined;
  if (secretEnv && !oidcSecret)
    problems.push({
      where: secretEnv,
      problem: 'is not set (console.oidc.clientSecretEnv names it for the OIDC client secret)',
      fix: `Set ${secretEnv} to the client secret the provider issued for console.oidc.clientId`,
    });
  if (!isLoopback(config.host) && !config.trustedHeader && !config.oidc)
    problems.push({
      where: 'console.host',
      problem: `${config.host} is not loopback, and no authentication is configured`,
      fix: 'Configure sign-in with console.oidc (your OpenID Connect provider), or put the console behind your SSO proxy and name its user header in console.trustedHeader, or keep host 127.0.0.1',
    });
  if (config.actAs && (!isLoopback(config.host) || config.oidc))
    problems.push({
      where: 'console.actAs',
      problem:
        'choosing who to act as is only for a console bound to loopback without OIDC sign-in (the local run)',
      fix: 'Remove console.actAs, or bind console.host to 127.0.0.1 without console.oidc',
    });
  if (problems.length) throw new InvalidConfigError("Marshal's config file (console)", problems);
  return { oidcSecret };
}

/** The web console: runs, a run's page (live), locks, Bull Board; controls through the Engine's checks. */
export async function startConsole(deps: ConsoleDeps): Promise<RunningConsole> {
  const { config, engine, logger } = deps;
  const { oidcSecret } = checkConsoleConfig(config, deps.env);
  const csrf = new CsrfTokens(randomBytes(32));
  const oidc =
    config.oidc && oidcSecret
      ? new OidcSignIn(
          config.oidc,
          oidcSecret,
          config.users,
          logger,
          (title, body) => layout(title, { viewer: undefined, csrf: '', actAs: undefined }, body).text,
        )
      : undefined;
  const live = new LiveEvents();
  await live.start(engine.events);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    try {
      res.locals.viewer = viewerOf(config, req.headers, oidc && ((cookie) => oidc.viewer(cookie)));
    } catch (err) {
      // Signing in, and the script and stylesheet its pages use, need no one signed in yet.
      if (err instanceof Unauthenticated && err.canSignIn && /^\/(auth|static)\//.test(req.path))
        return next();
      if (err instanceof Unauthenticated) {
        if (err.canSignIn && isNavigation(req)) {
          res.redirect(302, `/auth/login?to=${encodeURIComponent(req.originalUrl)}`);
          return;
        }
        res.status(401).type('text/plain').send(`${err.message}\n`);
        return;
      }
      throw err;
    }
    next();
  });
  if (oidc) app.use(oidc.routes());

  app.get('/static/console.js', (_req, res) => void res.type('application/javascript').send(CONSOLE_JS));
  app.get('/static/console.css', (_req, res) => void res.type('text/css').send(CONSOLE_CSS));

  // Bull Board, read-only: the queue is the engine's to change, never a browser's.
  const board = new ExpressAdapter();
  board.setBasePath('/queues');
  createBullBoard({
    queues: deps.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Marshal queue' } },
  });
  app.use('/queues', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).type('text/plain').send('The queue is read-only here.\n');
      return;
    }
    next();
  });
  app.use('/queues', board.getRouter() as express.Router);

  const viewer = (res: Response): Viewer => res.locals.viewer as Viewer;
  const ctx = (req: Request, res: Response): PageContext => {
    const v = viewer(res);
    const notice = typeof req.query.notice === 'string' ? req.query.notice : undefined;
    return {
      viewer: v,
      csrf: csrf.token(v),
      actAs: config.actAs,
      ...(notice && csrf.verify(notice, req.query.sig) ? { notice } : {}),
    };
  };
  const send = (res: Response, body: { text: string }) =>
    void res
      .setHeader('content-security-policy', "default-src 'self'; style-src 'self'; frame-ancestors 'none'")
      .type('text/html')
      .send(body.text);

  const filtersOf = (req: Request): RunFilters => {
    const f: RunFilters = {};
    for (const k of ['workflow', 'state', 'requester'] as const) {
      const v = req.query[k];
      if (typeof v === 'string' && v !== '') f[k] = v;
    }
    return f;
  };
  const runs = async () => {
    const [active, recent] = await Promise.all([
      engine.list({ active: true, limit: 200 }),
      engine.list({ limit: 100 }),
    ]);
    const seen = new Set(active.map((r) => r.runId));
    return [...active, ...recent.filter((r) => !seen.has(r.runId))];
  };

  app.get('/', async (req, res) => {
    const workflows = deps.registry.names();
    send(res, layout('Runs', ctx(req, res), runsPage(await runs(), filtersOf(req), workflows), 'runs'));
  });
  app.get('/list', async (req, res) => {
    const f = filtersOf(req);
    send(res, runsTable((await runs()).filter((r) => matches(r, f))));
  });
  app.get('/live', (_req, res) => live.follow('*', res));

  /**
   * The panel (redrawn on every event) names only the notable hosts; the page shows one page of the
   * plan's hosts (`?hosts=<offset>`), so a 10,000-host run is never read whole for a view.
   */
  const view = async (req: Request, res: Response, hosts: 'page' | 'notable'): Promise<RunView> => {
    const runId = String(req.params.runId);
    const offset = Number(req.query.hosts ?? 0);
    const run = await engine.get(runId, {
      targets:
        hosts === 'notable'
          ? 'notable'
          : { offset: Number.isInteger(offset) && offset >= 0 ? offset : 0, limit: HOSTS_PER_PAGE },
    });
    const v = viewer(res);
    // A page of the plan cannot tell which hosts a finished run left changed; its summary can. The
    // counters give the changed and restored hosts, but only the summary names the failed hosts whose
    // restore is unknown or failed (unrestoredCount), so the page still reads it.
    const forControls =
      hosts === 'page' && run.finishedAt ? await engine.get(runId, { targets: 'notable' }) : run;
    const [allowed, audit, thread] = await Promise.all([
      allowedControls(forControls, v?.user, deps.access),
      deps.audit.entries(runId).catch(() => []),
      deps.thread(runId).catch(() => undefined),
    ]);
    return {
      run,
      def: deps.registry.has(run.workflow) ? deps.registry.get(run.workflow) : undefined,
      allowed,
      csrf: csrf.token(v),
      audit,
      thread,
    };
  };
  app.get('/runs/:runId', async (req, res) => {
    const v = await view(req, res, 'page');
    const allHosts = req.query.all === '1' || req.query.hosts === 'all';
    send(res, layout(`Run ${v.run.runId}`, ctx(req, res), runPage(v, { allHosts }), 'run'));
  });
  app.get('/runs/:runId/panel', async (req, res) => send(res, runPanel(await view(req, res, 'notable'))));
  app.get('/runs/:runId/live', (req, res) => live.follow(String(req.params.runId), res));

  const form = express.urlencoded({ extended: false, limit: '4kb' });
  /** Every control is a POST from this console's own page: same origin, and the viewer's CSRF token. */
  const guard = (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && origin !== `${req.protocol}://${req.headers.host}`) {
      res.status(403).type('text/plain').send('Refused: the request came from another site.\n');
      return;
    }
    if (!csrf.valid(viewer(res), (req.body as Record<string, unknown> | undefined)?._csrf)) {
      res.status(403).type('text/plain').send('Refused: missing or stale form token; reload the page.\n');
      return;
    }
    next();
  };
  const redirect = (res: Response, to: string, notice: string) => {
    const sig = csrf.sign(`notice|${notice}`);
    res.redirect(303, `${to}?notice=${encodeURIComponent(notice)}&sig=${sig}`);
  };

  app.post('/as', form, guard, (req, res) => {
    const raw = (req.body as Record<string, unknown>).user;
    const user = typeof raw === 'string' ? raw : '';
    if (!config.actAs?.includes(user)) {
      res
        .status(400)
        .type('text/plain')
        .send(`Choose one of: ${(config.actAs ?? []).join(', ')}\n`);
      return;
    }
    res.setHeader(
      'set-cookie',
      `${ACT_AS_COOKIE}=${encodeURIComponent(user)}; Path=/; HttpOnly; SameSite=Strict`,
    );
    redirect(
      res,
      req
        .get('referer')
        ?.replace(/\?.*$/, '')
        .replace(/^https?:\/\/[^/]+/, '') || '/',
      `You act as ${user} now.`,
    );
  });

  if (oidc) app.post('/auth/logout', form, guard, (_req, res) => oidc.signOut(res));

  app.post('/runs/:runId/:control', form, guard, async (req, res) => {
    const runId = String(req.params.runId);
    const control = String(req.params.control) as Control;
    const to = `/runs/${encodeURIComponent(runId)}`;
    const v = viewer(res);
    if (!CONTROLS.includes(control)) {
      res
        .status(404)
        .type('text/plain')
        .send(`No control "${control}"; there are ${CONTROLS.join(', ')}.\n`);
      return;
    }
    if (!v) {
      res.status(403).type('text/plain').send('Read-only: sign in to act on runs.\n');
      return;
    }
    const gate = (req.body as Record<string, unknown>).gate;
    try {
      const said = await applyControl(
        { engine, access: deps.access },
        { runId, control, user: v.user, ...(typeof gate === 'string' ? { gateId: gate } : {}) },
      );
      logger.info({ runId, control, user: v.user, via: v.via }, 'console control');
      redirect(res, to, said);
    } catch (err) {
      if (err instanceof ControlRefused || isMarshalError(err)) {
        redirect(res, to, scrubSecrets(err.message));
        return;
      }
      throw err;
    }
  });

  app.get('/locks', async (req, res) => {
    const v = viewer(res);
    const locks = await Promise.all(
      (await engine.locks()).map(async (l) => ({
        ...l,
        releasable: v
          ? await engine
              .get(l.owner)
              .then(async (run) =>
                (await allowedControls(run, v.user, deps.access)).controls.includes('abort'),
              )
              .catch(() => false)
          : false,
      })),
    );
    send(res, layout('Locks', ctx(req, res), locksPage({ locks, csrf: csrf.token(v) })));
  });
  /** A lock ends with its run: releasing one is aborting that run, by the same checks as Slack's abort. */
  app.post('/locks/release', form, guard, async (req, res) => {
    const v = viewer(res);
    if (!v) return void res.status(403).type('text/plain').send('Read-only: sign in to release locks.\n');
    const name = (req.body as Record<string, unknown>).lock;
    const lock = (await engine.locks()).find((l) => l.name === name);
    if (!lock) return redirect(res, '/locks', `No lock ${typeof name === 'string' ? name : ''} is held now.`);
    try {
      const said = await applyControl(
        { engine, access: deps.access },
        { runId: lock.owner, control: 'abort', user: v.user },
      );
      logger.info({ lock: lock.name, runId: lock.owner, user: v.user, via: v.via }, 'console lock release');
      redirect(res, '/locks', `Releasing ${lock.name}: run ${lock.owner} is aborting. ${said}`);
    } catch (err) {
      if (err instanceof ControlRefused || isMarshalError(err))
        return redirect(res, '/locks', scrubSecrets(err.message));
      throw err;
    }
  });

  const noFleet = html`<p class="empty">This Marshal runs without fleet controls (freezes, schedules).</p>`;
  app.get('/freezes', async (req, res) => {
    const v = viewer(res);
    const fleet = deps.fleet;
    if (!fleet) return send(res, layout('Freezes', ctx(req, res), noFleet));
    send(
      res,
      layout(
        'Freezes',
        ctx(req, res),
        freezesPage({
          current: await fleet.control.freeze.current(),
          windows: fleet.windows,
          canLift: v ? await mayUseOps(fleet.control, deps.access, 'freeze', v.user) : false,
          csrf: csrf.token(v),
        }),
      ),
    );
  });
  app.post('/freezes/lift', form, guard, async (req, res) => {
    const v = viewer(res);
    const fleet = deps.fleet;
    if (!v || !fleet)
      return void res.status(403).type('text/plain').send('Read-only: sign in to lift a freeze.\n');
    if (!(await mayUseOps(fleet.control, deps.access, 'freeze', v.user)))
      return redirect(
        res,
        '/freezes',
        `You may not lift the freeze. Allowed: ${opsAllowed(fleet.control, 'freeze', (p) => p)}.`,
      );
    const { lifted, left } = await liftFreeze(fleet.control, v.user);
    logger.info({ user: v.user, via: v.via, lifted }, 'console freeze lift');
    redirect(
      res,
      '/freezes',
      `${lifted ? 'The manual freeze is lifted.' : 'There was no manual freeze.'}${left ? ` Still in force: a declared window (${left.source === 'window' ? left.window : 'manual'}).` : ''}`,
    );
  });

  app.get('/schedules', async (req, res) => {
    const v = viewer(res);
    const schedules = deps.fleet?.control.schedules;
    if (!schedules) return send(res, layout('Schedules', ctx(req, res), noFleet));
    const listed = await Promise.all(
      (await schedules.list()).map(async (s) => ({
        ...s,
        removable: v ? await mayRemoveSchedule(deps.access, s, v.user) : false,
      })),
    );
    send(res, layout('Schedules', ctx(req, res), schedulesPage({ schedules: listed, csrf: csrf.token(v) })));
  });
  app.post('/schedules/:id/remove', form, guard, async (req, res) => {
    const v = viewer(res);
    const control = deps.fleet?.control;
    const schedules = control?.schedules;
    if (!v || !control || !schedules)
      return void res.status(403).type('text/plain').send('Read-only: sign in to remove schedules.\n');
    const id = String(req.params.id);
    const listed = (await schedules.list()).find((s) => s.id === id);
    if (!listed) return redirect(res, '/schedules', `There is no schedule ${id}.`);
    if (!(await mayRemoveSchedule(deps.access, listed, v.user)))
      return redirect(
        res,
        '/schedules',
        `You may not remove ${id}: only whoever set it, or who may approve ${listed.workflow}.`,
      );
    await removeSchedule({ audit: control.audit, schedules }, listed, v.user);
    logger.info({ schedule: id, user: v.user, via: v.via }, 'console schedule removed');
    redirect(
      res,
      '/schedules',
      `Removed schedule ${id}.${listed.source === 'config' ? ' It is declared in Marshal’s config and comes back at the next start unless removed there.' : ''}`,
    );
  });

  app.use((req: Request, res: Response) => {
    res.status(404);
    send(
      res,
      layout(
        'Not found',
        ctx(req, res),
        html`<h1>Not found</h1>
          <p>Nothing at ${req.path}.</p>`,
      ),
    );
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = isMarshalError(err);
    if (!known) logger.error({ err, path: req.path }, 'console request failed');
    res.status(known ? 404 : 500);
    send(
      res,
      layout(
        'Error',
        ctx(req, res),
        html`<h1>${known ? 'Not available' : 'Something went wrong'}</h1>
          <p>${scrubSecrets(err instanceof Error ? err.message : String(err))}</p>`,
      ),
    );
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  oidc?.listeningAt(url);
  logger.info(
    { host: config.host, port, signIn: oidc ? 'oidc' : config.trustedHeader ? 'header' : 'none' },
    'console listening',
  );
  return {
    url,
    async close() {
      await live.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A person opening a page (sent to sign in), not a script, an image or the event stream (refused with
 * 401): a sign-in started by a stray request would race the person's own.
 */
function isNavigation(req: Request): boolean {
  if (req.method !== 'GET') return false;
  const mode = req.get('sec-fetch-mode');
  if (mode) return mode === 'navigate';
  return (req.get('accept') ?? '').includes('text/html');
}
