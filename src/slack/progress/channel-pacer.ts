/**
 * Posts to one Slack channel, paced as Slack allows them (about one message per second per channel,
 * with short bursts) so they are not refused with a 429 and its `Retry-After` (a second at least), and
 * handed out by priority: a post a person waits for (an approval card, a run's parent that card hangs
 * on, a control's reply, an alert) takes the next free slot before a stage's or a run's summary reply,
 * and a few slots are kept for such posts alone, so one finds a slot at once even while summaries queue.
 * One pacer per process, shared by every run's thread: runs in one channel share Slack's budget.
 */
export type PostPriority = 'urgent' | 'normal';

interface Waiter {
  urgent: boolean;
  go: () => void;
}

interface Bucket {
  tokens: number;
  at: number;
  waiting: Waiter[];
  timer: NodeJS.Timeout | undefined;
}

/** A post's place in its channel's line: `ready` once it may go; `promote` makes it urgent while it waits. */
export interface PostTicket {
  ready: Promise<void>;
  promote(): void;
}

export class ChannelPacer {
  private readonly channels = new Map<string, Bucket>();

  constructor(
    /** Slots that may go at once (Slack allows short bursts). */
    private readonly burst = 6,
    /** Slots per second, refilled continuously. */
    private readonly perSecond = 1,
    /** Slots only urgent posts may take. */
    private readonly urgentReserve = 3,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a post to `channel` may go; urgent posts are served before every normal one. */
  take(channel: string, priority: PostPriority): Promise<void> {
    return this.ticket(channel, priority).ready;
  }

  /**
   * A place in the line that can be made urgent while it waits: a summary reply that an approval card of
   * the same run must follow (a thread keeps its order) takes the card's urgency.
   */
  ticket(channel: string, priority: PostPriority): PostTicket {
    const b = this.bucket(channel);
    this.refill(b);
    const urgent = priority === 'urgent';
    if (b.waiting.length === 0 && b.tokens >= this.need(urgent)) {
      b.tokens -= 1;
      return { ready: Promise.resolve(), promote: () => undefined };
    }
    let entry!: Waiter;
    const ready = new Promise<void>((go) => (entry = { urgent, go }));
    this.place(channel, b, entry);
    return {
      ready,
      promote: () => {
        const at = b.waiting.indexOf(entry);
        if (at === -1 || entry.urgent) return;
        b.waiting.splice(at, 1);
        entry.urgent = true;
        this.place(channel, b, entry);
      },
    };
  }

  /** Behind the urgent ones already waiting, ahead of every normal one (if urgent). */
  private place(channel: string, b: Bucket, entry: Waiter): void {
    const at = entry.urgent ? b.waiting.findIndex((w) => !w.urgent) : -1;
    if (at === -1) b.waiting.push(entry);
    else b.waiting.splice(at, 0, entry);
    if (entry.urgent && b.timer) {
      // The timer may be waiting for a normal post's larger need: an urgent one needs less.
      clearTimeout(b.timer);
      b.timer = undefined;
    }
    this.schedule(channel, b);
  }

  close(): void {
    for (const b of this.channels.values()) {
      clearTimeout(b.timer);
      for (const w of b.waiting.splice(0)) w.go();
    }
  }

  private bucket(channel: string): Bucket {
    let b = this.channels.get(channel);
    if (!b) {
      b = { tokens: this.burst, at: this.now(), waiting: [], timer: undefined };
      this.channels.set(channel, b);
    }
    return b;
  }

  private refill(b: Bucket): void {
    const now = this.now();
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
  }

  /** Slots a post needs to see free before it takes one. */
  private need(urgent: boolean): number {
    return urgent ? 1 : 1 + this.urgentReserve;
  }

  private schedule(channel: string, b: Bucket): void {
    if (b.timer) return;
    const head = b.waiting[0];
    const need = this.need(head?.urgent ?? true);
    const wait = Math.max(0, Math.ceil(((need - b.tokens) / this.perSecond) * 1000));
    b.timer = setTimeout(() => {
      b.timer = undefined;
      this.refill(b);
      while (b.waiting.length > 0 && b.tokens >= this.need(b.waiting[0]!.urgent)) {
        b.tokens -= 1;
        b.waiting.shift()!.go();
      }
      if (b.waiting.length > 0) this.schedule(channel, b);
      else if (b.tokens >= this.burst) this.channels.delete(channel);
    }, wait);
  }
}
