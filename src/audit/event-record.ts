import type { RunEvent } from '../engine/model/events.js';
import type { AuditEntryInput } from './audit-entry.js';

/** Events that are progress, not actions: the records around them (host results, gates) say it all. */
const NOT_ACTIONS = new Set<RunEvent['type']>(['task.state', 'stage.progress']);

/**
 * The audit record of a run event, or undefined for progress that is no action. Pure. Events this
 * function does not know by name are still recorded, under their own type, with all their fields:
 * a new kind of action is audited before anyone remembers to map it.
 */
export function eventRecord(event: RunEvent): AuditEntryInput | undefined {
  if (NOT_ACTIONS.has(event.type)) return undefined;
  const base = { runId: event.runId, at: event.at };
  switch (event.type) {
    case 'run.started':
      return {
        ...base,
        kind: event.retryOf ? 'run.retry' : 'run.started',
        actor: event.requester,
        data: {
          workflow: event.workflow,
          dryRun: event.dryRun,
          ...(event.retryOf ? { retryOf: event.retryOf } : {}),
          ...event.meta,
        },
      };
    case 'gate.waiting':
      return {
        ...base,
        kind: 'gate.waiting',
        actor: 'marshal',
        data: { gateId: event.gateId, expiresAt: event.expiresAt, gateKind: event.kind ?? 'approval' },
      };
    case 'gate.decided':
      return {
        ...base,
        kind: event.timedOut
          ? 'gate.timed_out'
          : event.decision === 'approve'
            ? 'gate.approved'
            : 'gate.rejected',
        actor: event.by,
        data: {
          gateId: event.gateId,
          decision: event.decision,
          ...(event.option ? { option: event.option } : {}),
          ...(event.reason ? { reason: event.reason } : {}),
        },
      };
    case 'run.control':
      return {
        ...base,
        kind: `run.${event.action}`,
        actor: event.by,
        data: {
          ...(event.rollback === undefined ? {} : { rollback: event.rollback }),
          ...(event.hosts ? { hosts: event.hosts } : {}),
        },
      };
    case 'target.finished': {
      const r = event.result;
      const outcome = !r.ok ? 'failed' : r.changed ? 'changed' : 'unchanged';
      return {
        ...base,
        kind: `host.${outcome}`,
        actor: 'marshal',
        target: r.target,
        data: {
          rollout: event.rolloutId,
          stage: r.stage,
          batch: r.batchIndex,
          durationMs: r.durationMs,
          ...(r.summary ? { summary: r.summary } : {}),
          ...(r.error ? { error: r.error } : {}),
          ...(r.restore ? { restore: r.restore } : {}),
          ...(r.restoreError ? { restoreError: r.restoreError } : {}),
        },
      };
    }
    case 'lock.changed':
      return {
        ...base,
        kind: `lock.${event.action}`,
        actor: 'marshal',
        data: { names: event.names, ...(event.reason ? { reason: event.reason } : {}) },
      };
    case 'run.finished':
      return {
        ...base,
        kind: 'run.finished',
        actor: 'marshal',
        data: {
          state: event.state,
          durationMs: event.durationMs,
          ...(event.rollbackBy ? { rollbackBy: event.rollbackBy } : {}),
        },
      };
    case 'run.lost':
      return { ...base, kind: 'run.lost', actor: 'marshal', data: { hosts: event.hosts, why: event.why } };
    default: {
      const { runId, at, type, ...rest } = event as { runId: string; at: string; type: string };
      const by = (rest as { by?: unknown }).by;
      return { runId, at, kind: type, actor: typeof by === 'string' ? by : 'marshal', data: rest };
    }
  }
}
