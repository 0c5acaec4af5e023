import type { EventSubscription, RunEvent, RunEvents } from '../../engine/model/events.js';
import type { RunSnapshot, StageProgress, TargetsView } from '../../engine/model/run.js';
import type { Logger } from '../../log/index.js';
import { RunLost } from '../../engine/errors/run-lost.js';
import {
  renderAlert,
  renderApprovalCard,
  renderDecidedCard,
  renderFinalSummary,
  renderRollbackDone,
  renderRunControl,
  renderRunParent,
  renderStageDone,
  renderSupersededCard,
  type RenderContext,
  type SlackMessage,
} from '../blocks/index.js';
import { ChannelPacer, type PostPriority, type PostTicket } from './channel-pacer.js';
import { describeSlackError, isPermanentSlackError } from './slack-error.js';
import type { SlackChat } from './slack-chat.js';
import type { ThreadRecord, ThreadStore } from './thread-store.js';
import type { Freeze } from '../../control/change-freeze.js';

export interface ProgressNotifierOptions {
  chat: SlackChat;
  store: ThreadStore;
  /**
   * Engine.get: the run as it is now. Messages are drawn from it, so the latest state always wins. Parent
   * edits (the frequent ones) ask for `notable` hosts only; replies that list hosts ask for all.
   */
  getRun: (runId: string, targets?: TargetsView) => Promise<RunSnapshot>;
  logger: Logger;
  /** At most one edit of the parent message per this many ms (Slack allows about one per second). */
  updateIntervalMs?: number;
  /** Tries per Slack call after WebClient's own retries gave up, with doubling delays from `retryDelayMs`. */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** The meta key that names the run's channel. */
  channelMetaKey?: string;
  auditRef?: (runId: string) => string;
  /** The change freeze in force now (ChangeFreeze.current): shown on the parent and on approval cards. */
  freeze?: () => Promise<Freeze | undefined>;
  now?: () => Date;
  /** Paces posts per channel, urgent first (default: one shared by this notifier's runs). */
  pacer?: ChannelPacer;
  /** Paces chat.update calls, card updates first (default: 40 a minute, bursts of 5). */
  editPacer?: ChannelPacer;
}

/**
 * A run's calls: what a person waits for (`urgent`: the parent an approval card hangs on, the card, its
 * votes and decision, a control's reply, a loss) and summaries (`reply`: a stage done, the final summary)
 * go in event order, so the thread reads in order, before parent edits (`edit`), which are coalesced and
 * read the latest state whenever they go, so going last loses nothing. In the channel (ChannelPacer) urgent
 * posts go first, and a summary an urgent post of its run follows is made urgent too.
 */
type OpClass = 'urgent' | 'reply' | 'edit';
type Lane = 'posts' | 'edits';
const laneOf = (c: OpClass): Lane => (c === 'edit' ? 'edits' : 'posts');

interface Op {
  name: string;
  class: OpClass;
  /**
   * False while a summary reply waits for its slot in the channel (ChannelPacer); the run's edits go on
   * meanwhile, and an urgent post queued behind it makes it urgent. Absent: ready.
   */
  ready?: boolean;
  /** That slot, to make it urgent when an urgent call of the run queues behind it. */
  ticket?: PostTicket;
  run: (thread: ThreadRecord | undefined) => Promise<void>;
}

interface RunThread {
  runId: string;
  /** Resolves when both of the run's lanes are empty (their op loops ended). */
  chain: Promise<void>;
  queued: Record<Lane, Op[]>;
  draining: Record<Lane, boolean>;
  lanes: Record<Lane, Promise<void>>;
  /** Wakes the op loop when it waits for a summary's slot: an op was added or became ready. */
  wake: (() => void) | undefined;
  /** The run's channel, once known (its start, or its thread): where its posts are paced. */
  channel: string | undefined;
  pendingOps: number;
  timer: NodeJS.Timeout | undefined;
  updateQueued: boolean;
  /** The queued edit is the final state or a flush: it waits out the interval in the queue and is sent. */
  forceNext: boolean;
  lastUpdateAt: number;
  /** When this process first heard of the run: the edit interval stretches as the run ages. */
  firstSeenAt: number;
  thread: ThreadRecord | undefined;
  /** An edit came before the parent was posted (a short run): the parent is edited once it is. */
  editBeforeParent: boolean;
  finished: boolean;
  /** The run's state vanished from Redis: only the loss is still posted. */
  lost: boolean;
}

/**
 * One Slack thread per run: a parent message edited in place, and replies for milestones only (a stage
 * done, approval asked and decided, hold/resume/abort, the end). Slack calls grow with stages, not hosts.
 *
 * Per run, posts go one at a time in event order, and parent edits one at a time beside them (see
 * OpClass); a call that fails is retried before the next of its lane rather than dropped or overtaken. Posts are paced per channel (ChannelPacer), urgent first,
 * so a long run's replies in the same channel do not hold an approval card back. Parent edits are
 * coalesced: at most one per `updateIntervalMs`, drawn from the latest snapshot when sent; the final
 * state is always sent.
 */
export class ProgressNotifier {
  private readonly runs = new Map<string, RunThread>();
  private readonly interval: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly channelKey: string;
  private readonly now: () => Date;
  private readonly pacer: ChannelPacer;
  /**
   * Every chat.update of this process in one line (Slack allows about 50 a minute per workspace): a 429
   * would make WebClient hold back every call, approval cards included, for its Retry-After. Card
   * updates (votes, decisions) go before parent edits.
   */
  private readonly edits: ChannelPacer;
  private closed = false;

  constructor(private readonly options: ProgressNotifierOptions) {
    this.interval = options.updateIntervalMs ?? 2000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.channelKey = options.channelMetaKey ?? 'channel';
    this.now = options.now ?? (() => new Date());
    this.pacer = options.pacer ?? new ChannelPacer();
    this.edits = options.editPacer ?? new ChannelPacer(5, 40 / 60, 2);
  }

  /** Subscribes to every run's events. */
  subscribe(events: RunEvents): Promise<EventSubscription> {
    return events.subscribe((event) => this.handle(event));
  }

  /** Takes one event. Returns at once; Slack calls happen on the run's queue. */
  handle(event: RunEvent): void {
    if (this.closed) return;
    const run = this.runFor(event.runId);
    switch (event.type) {
      case 'run.started': {
        const channel = event.meta[this.channelKey];
        if (!channel) {
          this.options.logger.debug({ runId: event.runId }, 'run has no Slack channel; no progress thread');
          return;
        }
        run.channel = channel;
        this.enqueue(run, {
          name: 'post parent',
          class: 'urgent',
          run: (thread) => this.postParent(run, channel, thread),
        });
        break;
      }
      case 'stage.progress':
        if (isStageDone(event.progress))
          this.milestone(run, stageKey(event.progress), 'reply', (snapshot, thread, paced) =>
            this.reply(
              thread,
              renderStageDone(snapshot, event.progress, this.ctx(snapshot)),
              paced ? 'paced' : 'normal',
            ),
          );
        break;
      case 'gate.waiting':
        // One card per plan: a plan that changed under the gate gets a new card, the old one says so.
        this.milestone(
          run,
          `gate:${event.gateId}:waiting:${event.planHash ?? ''}`,
          'urgent',
          async (snapshot, thread) => {
            const view = {
              gateId: event.gateId,
              evidence: event.evidence,
              expiresAt: event.expiresAt,
              ...(event.kind ? { kind: event.kind } : {}),
              ...(event.prompt ? { prompt: event.prompt } : {}),
              ...(event.options ? { options: event.options } : {}),
              ...(event.defaultOption ? { defaultOption: event.defaultOption } : {}),
              ...(event.planHash ? { planHash: event.planHash } : {}),
              ...(event.quorum ? { quorum: event.quorum, approvers: [] } : {}),
            };
            const earlier = thread.gateCards[event.gateId];
            if (event.replaces && earlier && event.planHash) {
              const newPlan = event.planHash;
              await this.pacedUpdate(thread.channel, earlier, 'urgent', () =>
                renderSupersededCard(snapshot, { gateId: event.gateId, planHash: event.replaces }, newPlan),
              );
            }
            await this.pacer.take(thread.channel, 'urgent');
            const posted = await this.options.chat.post(
              thread.channel,
              renderApprovalCard(snapshot, view, await this.cardCtx()),
              thread.ts,
            );
            thread.gateCards[event.gateId] = posted.ts;
            await this.options.store.setGateCard(run.runId, event.gateId, posted.ts);
          },
        );
        break;
      case 'gate.vote':
        // Who approved so far, on the card itself.
        this.milestone(
          run,
          `gate:${event.gateId}:vote:${event.planHash ?? ''}:${event.by}`,
          'urgent',
          async (snapshot, thread) => {
            const cardTs = thread.gateCards[event.gateId];
            const gate = snapshot.gates.find((g) => g.gateId === event.gateId);
            if (!cardTs || !gate || gate.state !== 'waiting') return;
            await this.pacedUpdate(thread.channel, cardTs, 'urgent', async () =>
              renderApprovalCard(snapshot, gate, await this.cardCtx()),
            );
          },
        );
        break;
      case 'gate.decided':
        this.milestone(run, `gate:${event.gateId}:decided`, 'urgent', async (snapshot, thread) => {
          const cardTs = thread.gateCards[event.gateId];
          const gate = snapshot.gates.find((g) => g.gateId === event.gateId);
          if (!cardTs || !gate) return;
          await this.pacedUpdate(thread.channel, cardTs, 'urgent', () => renderDecidedCard(snapshot, gate));
        });
        break;
      case 'run.control':
        this.milestone(run, `control:${event.action}:${event.at}`, 'urgent', (snapshot, thread) =>
          this.reply(thread, renderRunControl(snapshot, event), 'urgent'),
        );
        break;
      case 'run.lost': {
        // The thread reference is in this process's memory if it posted the thread: Redis lost its copy.
        run.finished = true;
        run.lost = true;
        clearTimeout(run.timer);
        run.timer = undefined;
        const message = renderAlert({
          title: `Run ${event.runId} LOST: its state vanished from Redis`,
          text: new RunLost(event).message,
          to: [],
        });
        this.enqueue(run, {
          name: LOST_OP,
          class: 'urgent',
          run: async (thread) => {
            if (!thread) {
              this.options.logger.error(
                { runId: event.runId, hosts: event.hosts },
                'run lost, and its Slack thread is not known here: the loss is only in the logs',
              );
              return;
            }
            await this.reply(thread, message, 'urgent');
          },
        });
        return;
      }
      case 'run.finished':
        run.finished = true;
        if (event.rollbackBy) {
          // The end of a rollback asked for after the run had finished: its summary was posted then.
          const by = event.rollbackBy;
          this.milestone(run, 'finished:rollback', 'reply', (snapshot, thread, paced) =>
            this.reply(thread, renderRollbackDone(snapshot, by), paced ? 'paced' : 'normal'),
          );
        } else
          this.milestone(run, 'finished', 'reply', (snapshot, thread, paced) =>
            this.reply(thread, renderFinalSummary(snapshot, this.ctx(snapshot)), paced ? 'paced' : 'normal'),
          );
        this.markDirty(run);
        this.forceUpdate(run);
        return;
      default:
        break;
    }
    if (event.type !== 'run.started') this.markDirty(run);
  }

  /**
   * Draws the cards of the active runs this process follows again (the parent, and each waiting
   * approval card): a change freeze set or lifted shows on them without waiting for the run's next event.
   */
  refreshCards(): void {
    if (this.closed) return;
    for (const run of this.runs.values()) {
      if (run.finished) continue;
      this.enqueue(run, {
        name: 'refresh approval cards',
        class: 'edit',
        run: async (thread) => {
          if (!thread) return;
          const snapshot = await this.options.getRun(run.runId);
          const ctx = await this.cardCtx();
          for (const gate of snapshot.gates.filter((g) => g.state === 'waiting')) {
            const ts = thread.gateCards[gate.gateId];
            if (!ts) continue;
            await this.pacedUpdate(thread.channel, ts, 'urgent', () =>
              renderApprovalCard(snapshot, gate, ctx),
            );
          }
        },
      });
      this.markDirty(run);
    }
  }

  /** Sends every pending edit now (waiting out the per-message interval) and waits for all queues. */
  async flush(): Promise<void> {
    for (;;) {
      const busy = [...this.runs.values()].filter((r) => r.pendingOps > 0 || r.timer);
      if (busy.length === 0) return;
      for (const run of busy) this.forceUpdate(run);
      await Promise.all(busy.map((r) => r.chain));
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    for (const run of this.runs.values()) clearTimeout(run.timer);
    this.runs.clear();
    this.pacer.close();
    this.edits.close();
  }

  private runFor(runId: string): RunThread {
    let run = this.runs.get(runId);
    if (!run) {
      run = {
        runId,
        chain: Promise.resolve(),
        queued: { posts: [], edits: [] },
        draining: { posts: false, edits: false },
        lanes: { posts: Promise.resolve(), edits: Promise.resolve() },
        wake: undefined,
        channel: undefined,
        pendingOps: 0,
        timer: undefined,
        updateQueued: false,
        forceNext: false,
        lastUpdateAt: 0,
        firstSeenAt: Date.now(),
        thread: undefined,
        editBeforeParent: false,
        finished: false,
        lost: false,
      };
      this.runs.set(runId, run);
    }
    return run;
  }

  private ctx(_snapshot: RunSnapshot): RenderContext {
    return {
      now: this.now(),
      ...(this.options.auditRef ? { auditRef: this.options.auditRef(_snapshot.runId) } : {}),
    };
  }

  /** What cards show besides the run: the change freeze, if one is in force (never fails a post). */
  private async cardCtx(): Promise<{ freeze?: Freeze }> {
    const freeze = await this.options.freeze?.().catch((err: unknown) => {
      this.options.logger.warn({ err }, 'could not read the change freeze for a card');
      return undefined;
    });
    return freeze ? { freeze } : {};
  }

  private async postParent(
    run: RunThread,
    channel: string,
    existing: ThreadRecord | undefined,
  ): Promise<void> {
    if (existing) return; // a restarted process, or the event seen again: keep the message we have
    const snapshot = await this.options.getRun(run.runId, 'notable');
    // Urgent: an approval card of this run is a reply to it.
    await this.pacer.take(channel, 'urgent');
    const posted = await this.options.chat.post(
      channel,
      renderRunParent(snapshot, { ...this.ctx(snapshot), ...(await this.cardCtx()) }),
    );
    run.thread = { channel: posted.channel, ts: posted.ts, gateCards: {} };
    run.lastUpdateAt = Date.now();
    await this.options.store.setParent(run.runId, { channel: posted.channel, ts: posted.ts });
    // The parent shows the run as it was drawn; an edit that came meanwhile (the final state of a run
    // that ended while this post waited for its slot) is made now.
    if (run.editBeforeParent) {
      run.editBeforeParent = false;
      this.markDirty(run);
      if (run.finished) this.forceUpdate(run);
    }
  }

  /** `paced`: the post already holds its slot in the channel. */
  private async reply(
    thread: ThreadRecord,
    message: Parameters<SlackChat['post']>[1],
    priority: PostPriority | 'paced',
  ): Promise<void> {
    if (priority !== 'paced') await this.pacer.take(thread.channel, priority);
    await this.options.chat.post(thread.channel, message, thread.ts);
  }

  /** A reply posted once per key, even across restarts and replayed events. */
  private milestone(
    run: RunThread,
    key: string,
    opClass: OpClass,
    post: (snapshot: RunSnapshot, thread: ThreadRecord, paced: boolean) => Promise<void>,
  ): void {
    let claimed = false;
    // A summary reply takes its slot in the channel before it joins the run's queue (see Op.ready).
    const channel = opClass === 'reply' ? (run.channel ?? run.thread?.channel) : undefined;
    const ticket = channel ? this.pacer.ticket(channel, 'normal') : undefined;
    const op: Op = {
      name: `milestone ${key}`,
      class: opClass,
      ...(ticket ? { ready: false, ticket } : {}),
      run: async (thread) => {
        if (!thread) return;
        // Claim only once the post is sure to be tried; a retry of this op must not lose its claim.
        if (!claimed && !(await this.options.store.claimMilestone(run.runId, key))) return;
        claimed = true;
        await post(await this.options.getRun(run.runId), thread, channel !== undefined);
      },
    };
    this.enqueue(run, op);
    void ticket?.ready.then(() => {
      op.ready = true;
      run.wake?.();
    });
  }

  /**
   * The gap between parent edits: the configured interval while the run is young, then a tenth of its
   * age (at most a minute), so a long rollout makes tens of edits, not one every two seconds for hours.
   * The final state is always sent at once (`forceUpdate`).
   */
  private intervalFor(run: RunThread): number {
    if (run.finished) return this.interval;
    return Math.max(this.interval, Math.min(60_000, (Date.now() - run.firstSeenAt) / 10));
  }

  private markDirty(run: RunThread): void {
    if (run.updateQueued || run.timer) return;
    const delay = Math.max(0, run.lastUpdateAt + this.intervalFor(run) - Date.now());
    run.timer = setTimeout(() => {
      run.timer = undefined;
      this.queueUpdate(run);
    }, delay);
  }

  private forceUpdate(run: RunThread): void {
    if (!run.timer) return;
    clearTimeout(run.timer);
    run.timer = undefined;
    run.forceNext = true;
    this.queueUpdate(run);
  }

  private queueUpdate(run: RunThread): void {
    if (run.updateQueued) return;
    run.updateQueued = true;
    this.enqueue(run, {
      name: 'update parent',
      class: 'edit',
      run: async (thread) => {
        if (!thread) {
          run.updateQueued = false;
          run.editBeforeParent = true;
          return;
        }
        const wait = run.lastUpdateAt + this.intervalFor(run) - Date.now();
        if (wait > 0 && !run.forceNext) {
          // Too early (the interval grew as the run aged): wait on a timer, not in the queue, so an
          // approval card or alert posted meanwhile is not held behind this edit.
          run.updateQueued = false;
          this.markDirty(run);
          return;
        }
        if (wait > 0) await sleep(wait);
        run.forceNext = false;
        // From here on, a new event needs a new edit: this one may already have read the snapshot.
        run.updateQueued = false;
        const snapshot = await this.options.getRun(run.runId, 'notable');
        run.lastUpdateAt = Date.now();
        await this.pacedUpdate(thread.channel, thread.ts, 'normal', async () =>
          renderRunParent(snapshot, { ...this.ctx(snapshot), ...(await this.cardCtx()) }),
        );
      },
    });
  }

  /**
   * Every chat.update of this class goes through here, so none can skip its slot on the edits pacer
   * (see `edits`). The message is drawn once the slot is taken, so a card that waited shows the state
   * it is sent with, not the state it queued with.
   */
  private async pacedUpdate(
    channel: string,
    ts: string,
    priority: PostPriority,
    render: () => SlackMessage | Promise<SlackMessage>,
  ): Promise<void> {
    await this.edits.take(EDITS, priority);
    await this.options.chat.update(channel, ts, await render());
  }

  private enqueue(run: RunThread, op: Op): void {
    run.pendingOps += 1;
    const name = laneOf(op.class);
    const lane = run.queued[name];
    // An urgent call must not wait behind a summary of its run waiting for a normal slot.
    if (op.class === 'urgent') for (const ahead of lane) ahead.ticket?.promote();
    lane.push(op);
    if (name === 'posts') run.wake?.();
    if (run.draining[name]) return;
    run.draining[name] = true;
    run.lanes[name] = Promise.resolve().then(() => this.drain(run, name));
    run.chain = Promise.all([run.lanes.posts, run.lanes.edits]).then(() => undefined);
  }

  /**
   * A lane's ops one at a time, in order. Posts and edits are two lanes: an edit waiting out a 429 (edits
   * share a tighter budget) never holds an approval card back. The posts lane waits (holding nothing)
   * while its next post waits for its slot in the channel.
   */
  private async drain(run: RunThread, name: Lane): Promise<void> {
    const lane = run.queued[name];
    try {
      for (;;) {
        const op = lane[0];
        if (!op) return;
        if (op.ready === false) {
          await new Promise<void>((resolve) => (run.wake = resolve));
          run.wake = undefined;
          continue;
        }
        lane.shift();
        try {
          await this.execute(run, op);
        } finally {
          run.pendingOps -= 1;
          if (run.finished && run.pendingOps === 0 && !run.timer) this.runs.delete(run.runId);
        }
      }
    } finally {
      run.draining[name] = false;
    }
  }

  private async execute(run: RunThread, op: Op): Promise<void> {
    const log = this.options.logger;
    for (let attempt = 1; ; attempt++) {
      try {
        if (run.lost && op.name !== LOST_OP) return;
        run.thread ??= await this.options.store.get(run.runId);
        await op.run(run.thread);
        return;
      } catch (err) {
        const error = describeSlackError(err);
        if (isPermanentSlackError(err) || attempt >= this.maxAttempts) {
          log.error(
            { runId: run.runId, op: op.name, attempt, error },
            'Slack progress call failed; giving up on it',
          );
          return;
        }
        const delay = Math.min(this.retryDelayMs * 2 ** (attempt - 1), 60_000);
        log.warn(
          { runId: run.runId, op: op.name, attempt, retryInMs: delay, error },
          'Slack progress call failed; will retry',
        );
        await sleep(delay);
      }
    }
  }
}

const LOST_OP = 'post run lost';
/** The edits pacer's one line. */
const EDITS = 'chat.update';

function isStageDone(p: StageProgress): boolean {
  return p.total > 0 && p.done + p.failed >= p.total && p.inFlight === 0;
}

function stageKey(p: StageProgress): string {
  return `stage:${p.rolloutId}:${p.stage}:${p.batchIndex}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
