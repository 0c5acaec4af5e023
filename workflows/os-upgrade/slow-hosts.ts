import type { RunReader, RunSnapshot } from '../../src/authoring/index.js';
import { slowAfter } from '../../src/osupgrade/index.js';

/** A host being upgraded, as the watch sees it. */
export interface Watched {
  runId: string;
  target: string;
  rolloutId: string;
  stage: { kind: 'canary' | 'batch'; index: number };
  startedAt: number;
  factor: number;
  /** Says it in the thread; called at most once per host and run. */
  callOut(elapsedMs: number, medianMs: number, peers: number): Promise<void>;
}

/**
 * Calls out a host much slower than its batch's median while it still runs, when it crosses the line, not
 * when it finishes: one slow host points to the host, many to the release, and both are worth knowing
 * before the batch ends. One timer per process reads each watched run once per period (not once per host),
 * so watching 50 hosts at once costs one run read a second. Each host is called out once.
 */
export class SlowHostWatch {
  private readonly watched = new Map<string, Watched>();
  private readonly calledOut = new Set<string>();
  private readonly latest = new Map<string, RunSnapshot>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly runs: RunReader,
    private readonly periodMs = 1000,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Watches the host until the returned function is called (at the host's end). */
  watch(host: Watched): () => void {
    const key = keyOf(host.runId, host.target);
    this.watched.set(key, host);
    this.timer ??= setInterval(() => void this.tick(), this.periodMs).unref();
    return () => {
      this.watched.delete(key);
      // The run's last watched host here: what was called out of it is no longer needed.
      if (![...this.watched.values()].some((w) => w.runId === host.runId))
        for (const k of this.calledOut) if (k.startsWith(`${host.runId}\u0000`)) this.calledOut.delete(k);
      if (this.watched.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        this.latest.clear();
      }
    };
  }

  /**
   * At the host's end: the same judgement with its final time, for a host that crossed the line between
   * two looks. Reads the run only when no look is recent.
   */
  async finished(host: Watched, durationMs: number): Promise<void> {
    const run = this.latest.get(host.runId) ?? (await this.runs.get(host.runId));
    await this.judge(run, host, durationMs);
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = Date.now();
      for (const runId of new Set([...this.watched.values()].map((w) => w.runId))) {
        const run = await this.runs.get(runId);
        this.latest.set(runId, run);
        for (const host of [...this.watched.values()].filter((w) => w.runId === runId))
          await this.judge(run, host, now - host.startedAt);
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.ticking = false;
    }
  }

  private async judge(run: RunSnapshot, host: Watched, elapsedMs: number): Promise<void> {
    const key = keyOf(host.runId, host.target);
    if (this.calledOut.has(key)) return;
    const batchIndex = host.stage.kind === 'canary' ? 0 : host.stage.index;
    const peers = run.targets
      .filter(
        (t) =>
          t.target !== host.target &&
          t.ok &&
          t.stage === host.stage.kind &&
          (host.stage.kind === 'canary' || t.batchIndex === batchIndex),
      )
      .map((t) => t.durationMs);
    const stage = run.progress.find(
      (p) => p.rolloutId === host.rolloutId && p.stage === host.stage.kind && p.batchIndex === batchIndex,
    );
    const line = slowAfter(peers, stage ? stage.total - 1 : peers.length, host.factor);
    if (line === undefined || elapsedMs < line) return;
    this.calledOut.add(key);
    await host.callOut(elapsedMs, line / host.factor, peers.length);
  }
}

const keyOf = (runId: string, target: string): string => `${runId}\u0000${target}`;
