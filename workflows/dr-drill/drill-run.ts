import type { Json, TaskContext } from '../../src/authoring/index.js';
import {
  readJournal,
  ScenarioSchema,
  type DrillJournal,
  type DrillTraffic,
  type Scenario,
} from '../../src/drdrill/index.js';
import type { DrDrillDeps } from './deps.js';

export interface DrDrillParams {
  scenario: string;
}
export type Ctx = TaskContext<DrDrillParams>;

/** The journal's key: one per run. */
export const journalKey = (runId: string): string => `journal:${runId}`;
/** The scorecards of one scenario, oldest first. */
export const scorecardsKey = (scenario: string): string => `scorecards:${scenario}`;

/**
 * One task's view of the drill it works on: the scenario pinned by validation (the file may change
 * while the drill runs; the run keeps what it validated), its traffic controls, its journal and audit.
 * Every write (weights, DNS, journal, audit) goes through `ctx.fenced`, so an attempt that lost its
 * task to another worker changes nothing more.
 */
export class DrillRun {
  private trafficControls: DrillTraffic | undefined;

  constructor(
    readonly ctx: Ctx,
    readonly deps: DrDrillDeps,
    readonly scenario: Scenario,
  ) {}

  static of(ctx: Ctx, deps: DrDrillDeps, pinned: Json | undefined): DrillRun {
    if (pinned === undefined || pinned === null)
      throw new Error(`task ${ctx.taskId} ran without the scenario validation pinned`);
    return new DrillRun(ctx, deps, ScenarioSchema.parse(pinned));
  }

  get traffic(): DrillTraffic {
    return (this.trafficControls ??= this.deps.services.traffic(this.scenario));
  }

  get signal(): AbortSignal {
    return this.ctx.signal;
  }

  now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  iso(): string {
    return this.now().toISOString();
  }

  async journal(): Promise<DrillJournal> {
    return readJournal(await this.deps.records.get(journalKey(this.ctx.runId)), this.scenario.name);
  }

  /** Reads, changes and writes the journal, fenced: a superseded attempt records nothing. */
  async record(change: (journal: DrillJournal) => void): Promise<DrillJournal> {
    return this.ctx.fenced(async () => {
      const journal = await this.journal();
      change(journal);
      await this.deps.records.set(journalKey(this.ctx.runId), journal);
      return journal;
    });
  }

  /** A change to traffic (weights, DNS), made only while this attempt still owns the task. */
  change<T>(effect: () => Promise<T>): Promise<T> {
    return this.ctx.fenced(effect);
  }

  /**
   * The phase's audit record, written as the phase ends to Marshal's audit (Redis) and to the scenario's
   * second sink, which lives outside the region being evacuated. The second sink is tried three times;
   * if it still fails, Marshal's audit records that and the thread is told, but traffic work goes on
   * (a rollback must never wait on an audit sink).
   */
  async audit(phase: string, data: Record<string, Json>): Promise<void> {
    const entry = {
      runId: this.ctx.runId,
      at: this.iso(),
      kind: `drdrill.${phase}`,
      actor: this.ctx.requester,
      data: { scenario: this.scenario.name, dryRun: this.ctx.dryRun, ...data },
    };
    await this.ctx.fenced(async () => {
      await this.deps.audit.append(entry);
      const second = this.deps.services.secondSink(this.scenario);
      if (!second) return;
      let lastError: unknown;
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          await second.append(entry);
          return;
        } catch (err) {
          lastError = err;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
      const why = lastError instanceof Error ? lastError.message : String(lastError);
      await this.deps.audit.append({ ...entry, kind: 'drdrill.audit_sink_failed', data: { phase, why } });
      await this.deps.notifier.alert({
        runId: this.ctx.runId,
        to: [this.ctx.requester],
        title: `DR drill ${this.scenario.name}: the second audit sink failed`,
        text: `The ${phase} record is in Marshal's audit but not in the scenario's second sink: ${why}`,
      });
    });
  }
}

/** Sleeps `ms`, or rejects with the signal's reason when it is aborted first. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
