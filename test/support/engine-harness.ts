import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEngine,
  type EngineOptions,
  type EngineRuntime,
} from '../../src/engine/runtime/create-engine.js';
import type { WorkerOptions } from '../../src/engine/runtime/workers.js';
import { createRegistry } from '../../src/engine/registry.js';
import type { RunEvent, RunSnapshot } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log/index.js';
import { allTestWorkflows } from './test-workflows.js';

export interface Harness {
  engine: EngineRuntime;
  prefix: string;
  events: RunEvent[];
  /** Resolves with the run's snapshot once it has finished. */
  finished(runId: string): Promise<RunSnapshot>;
  /** Resolves with the first event (of any run) matching. */
  event<T extends RunEvent>(match: (e: RunEvent) => e is T): Promise<T>;
  event(match: (e: RunEvent) => boolean): Promise<RunEvent>;
  close(): Promise<void>;
}

export async function startHarness(
  redisUrl: string,
  prefix: string,
  workers: WorkerOptions | false = { concurrency: 8 },
  options: Pick<EngineOptions, 'resolveTarget' | 'retentionMs'> = {},
): Promise<Harness> {
  const engine = await createEngine({
    redis: redisUrl,
    prefix,
    registry: createRegistry(allTestWorkflows),
    logger: silentLogger(),
    ...options,
  });
  const events: RunEvent[] = [];
  const waiters: { match: (e: RunEvent) => boolean; resolve: (e: RunEvent) => void }[] = [];
  const sub = await engine.events.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.match(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  if (workers) engine.startWorkers(workers);
  const event = (match: (e: RunEvent) => boolean): Promise<RunEvent> => {
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
  return {
    engine,
    prefix,
    events,
    event: event,
    async finished(runId) {
      await event((e) => e.type === 'run.finished' && e.runId === runId);
      return engine.get(runId);
    },
    async close() {
      await sub.close();
      await engine.close();
    },
  };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'marshal-engine-'));
}

export function stateOf(snap: RunSnapshot, taskId: string): string | undefined {
  return snap.tasks.find((t) => t.taskId === taskId)?.state;
}
