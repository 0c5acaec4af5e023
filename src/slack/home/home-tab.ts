import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChangeFreeze } from '../../control/change-freeze.js';
import type { Engine } from '../../engine/engine.js';
import type { EventSubscription, RunEvent } from '../../engine/index.js';
import type { Logger } from '../../log/index.js';
import type { AccessControl } from '../auth/access-control.js';
import { renderHome, type HomeFacts, type HomeView } from './render-home.js';

/** The Web API method the Home tab needs: Bolt's `client.views.publish` fits. */
export interface ViewsPublish {
  publish(args: { user_id: string; view: HomeView }): Promise<{ view?: { id?: string } }>;
}

export interface HomeTabOptions {
  views: ViewsPublish;
  engine: Pick<Engine, 'list' | 'locks' | 'events'>;
  access: Pick<AccessControl, 'allows'>;
  freeze: Pick<ChangeFreeze, 'current'> | undefined;
  redis: Pick<Redis, 'hset' | 'hget' | 'hkeys'>;
  prefix: string;
  logger: Logger;
  /**
   * One user's Home is published at most this often (views.publish is rate-limited per user; a busy
   * run's changes are coalesced into one publish). Default 3 s.
   */
  minIntervalMs?: number;
  /** Changes without an event (a freeze set or lifted, a lock expiring) show within this. Default 60 s. */
  refreshMs?: number;
}

const NOTICE_MS = 5 * 60_000;

/** Events that change what a Home tab shows; host progress does not (it is not shown). */
const CHANGES = new Set<RunEvent['type']>([
  'run.started',
  'run.finished',
  'gate.waiting',
  'gate.decided',
  'run.control',
]);

/**
 * Every user's App Home: published when they open it (app_home_opened) and again when what it shows
 * changed, coalesced: at most once per `minIntervalMs` per user, and only when the view differs from
 * the one last published. The users who opened it and the view id each was given are kept in Redis
 * (`<prefix>:home:views`), so a click from a Home tab is checked against the view Marshal published.
 */
export class HomeTab {
  private readonly minInterval: number;
  private readonly last = new Map<string, { at: number; hash: string }>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** The outcome of each user's last click, shown at the top of their Home for NOTICE_MS. */
  private readonly notices = new Map<string, { text: string; until: number }>();
  private subscription: EventSubscription | undefined;
  private refresh: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(private readonly o: HomeTabOptions) {
    this.minInterval = o.minIntervalMs ?? 3000;
  }

  /** Follows the run events (and a slow refresh) to republish the Home tabs they change. */
  async start(): Promise<void> {
    this.subscription = await this.o.engine.events.subscribe((e) => {
      if (CHANGES.has(e.type)) void this.changed();
    });
    this.refresh = setInterval(() => void this.changed(), this.o.refreshMs ?? 60_000);
    this.refresh.unref();
  }

  /** A user opened their Home tab: publish it now (within the per-user interval). */
  opened(user: string): Promise<void> {
    return this.schedule(user, true);
  }

  /** After a click on the Home tab: the outcome shown at its top, published at once. */
  tell(user: string, notice: string): Promise<void> {
    this.notices.set(user, { text: notice, until: Date.now() + NOTICE_MS });
    return this.publish(user, true);
  }

  /** Something shown may have changed: every Home opened so far is published again, coalesced. */
  async changed(): Promise<void> {
    if (this.closed) return;
    const users = await this.o.redis.hkeys(this.key()).catch(() => []);
    await Promise.all(users.map((u) => this.schedule(u, false)));
  }

  /** The view id Marshal last published to `user`'s Home tab. */
  viewId(user: string): Promise<string | null> {
    return this.o.redis.hget(this.key(), user);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refresh) clearInterval(this.refresh);
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    await this.subscription?.close();
  }

  private schedule(user: string, force: boolean): Promise<void> {
    if (this.pending.has(user) || this.closed) return Promise.resolve();
    const wait = Math.max(0, (this.last.get(user)?.at ?? 0) + this.minInterval - Date.now());
    if (wait === 0) return this.publish(user, force);
    this.pending.set(
      user,
      setTimeout(() => {
        this.pending.delete(user);
        void this.publish(user, force);
      }, wait),
    );
    return Promise.resolve();
  }

  private async publish(user: string, force: boolean): Promise<void> {
    if (this.closed) return;
    try {
      const kept = this.notices.get(user);
      if (kept && kept.until < Date.now()) this.notices.delete(user);
      const notice = kept && kept.until >= Date.now() ? kept.text : undefined;
      const view = renderHome({ ...(await this.facts(user)), ...(notice ? { notice } : {}) });
      const hash = createHash('sha256').update(JSON.stringify(view)).digest('hex');
      if (!force && this.last.get(user)?.hash === hash) return;
      this.last.set(user, { at: Date.now(), hash });
      const res = await this.o.views.publish({ user_id: user, view });
      if (res.view?.id) await this.o.redis.hset(this.key(), user, res.view.id);
    } catch (err) {
      this.o.logger.warn(
        { user, err: err instanceof Error ? err.message : String(err) },
        'Home tab not published',
      );
    }
  }

  private async facts(user: string): Promise<HomeFacts> {
    const [active, locks, freeze] = await Promise.all([
      this.o.engine.list({ active: true, limit: 200 }),
      this.o.engine.locks(),
      this.o.freeze?.current(),
    ]);
    const approvals: HomeFacts['approvals'] = [];
    for (const run of active) {
      if (run.requester === user) continue;
      for (const gate of run.gates) {
        if (gate.state !== 'waiting') continue;
        if (gate.approvers?.includes(user)) continue;
        if (await this.o.access.allows('approve', run.workflow, user)) approvals.push({ run, gate });
      }
    }
    return { approvals, active, locks, freeze };
  }

  private key(): string {
    return `${this.o.prefix}:home:views`;
  }
}
