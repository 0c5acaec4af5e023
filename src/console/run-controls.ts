import type { Engine } from '../engine/engine.js';
import { hostCountsOf, type RunSnapshot } from '../engine/model/run.js';
import { FINAL_RUN_STATES } from '../engine/model/task-state.js';
import { rollbackOffered } from '../engine/model/rollback-offer.js';

/** Who may start and approve: the same AccessControl the Slack front end checks. */
export interface AccessCheck {
  allows(right: 'start' | 'approve', workflow: string, user: string): Promise<boolean>;
}

export type Control = 'approve' | 'reject' | 'hold' | 'resume' | 'abort' | 'retry' | 'rollback';

export interface AllowedControls {
  controls: Control[];
  /** The waiting gate approve/reject act on. */
  gateId: string | undefined;
  /** Why a control the viewer might expect is missing (four-eyes, no access). */
  notes: string[];
}

/**
 * What the viewer may do to the run now, by Slack's rules: deciding a gate needs the workflow's
 * approve right and never the requester (four-eyes); hold, resume and abort are for the requester and
 * the approvers, and so is rolling back a run that finished with failures; retrying failed hosts needs the
 * start right. The engine checks again on every POST.
 */
export async function allowedControls(
  run: RunSnapshot,
  user: string | undefined,
  access: AccessCheck,
): Promise<AllowedControls> {
  const out: AllowedControls = { controls: [], gateId: undefined, notes: [] };
  if (!user) {
    out.notes.push('Read-only: sign in to act on runs.');
    return out;
  }
  const approver = await access.allows('approve', run.workflow, user);
  const requester = run.requester === user;
  if (FINAL_RUN_STATES.has(run.state)) {
    if (hostCountsOf(run).failed > 0 && (await access.allows('start', run.workflow, user)))
      out.controls.push('retry');
    // Roll back after the end: for the requester and the approvers, as hold and abort.
    if (rollbackOffered(run) && (requester || approver)) out.controls.push('rollback');
    return out;
  }
  const gate = run.gates.find((g) => g.state === 'waiting' && g.kind !== 'choice');
  if (gate) {
    out.gateId = gate.gateId;
    if (requester)
      out.notes.push('You requested this run, so another approver has to approve it (four-eyes).');
    else if (!approver) out.notes.push(`You may not approve runs of ${run.workflow}.`);
    else out.controls.push('approve', 'reject');
  }
  if (requester || approver) {
    if (run.state === 'held') out.controls.push('resume');
    else if (!run.holdRequested) out.controls.push('hold');
    if (!run.abortRequested) out.controls.push('abort');
  }
  return out;
}

export class ControlRefused extends Error {}

/**
 * Carries out a control after checking it is allowed now (the page may be stale). Returns what to
 * tell the viewer. The engine enforces four-eyes and decides a gate once, whatever the console says.
 */
export async function applyControl(
  deps: { engine: Engine; access: AccessCheck },
  input: { runId: string; control: Control; user: string; gateId?: string },
): Promise<string> {
  const { engine } = deps;
  const run = await engine.get(input.runId);
  const allowed = await allowedControls(run, input.user, deps.access);
  if (!allowed.controls.includes(input.control)) {
    const why = allowed.notes[0] ?? `it is not possible now (run is ${run.state})`;
    throw new ControlRefused(`You cannot ${input.control} run ${run.runId}: ${why}`);
  }
  switch (input.control) {
    case 'approve':
    case 'reject': {
      if (!allowed.gateId || (input.gateId && input.gateId !== allowed.gateId))
        throw new ControlRefused('That approval is no longer waiting.');
      const r = await engine.decide({
        runId: run.runId,
        gateId: allowed.gateId,
        decision: input.control,
        by: input.user,
        reason: 'from the console',
      });
      if (r.applied) return `${input.control === 'approve' ? 'Approved' : 'Rejected'} ${allowed.gateId}.`;
      if (r.why === 'awaiting_quorum')
        return `Your approval is recorded (${r.approvals ?? '?'} of ${r.quorum ?? '?'}); more approvers are needed.`;
      return `Nothing changed: the approval was ${r.why === 'already_decided' ? `already decided${r.by ? ` by ${r.by}` : ''}` : 'not waiting'}.`;
    }
    case 'hold':
      await engine.hold(run.runId, input.user);
      return 'The run will hold before its next batch.';
    case 'resume':
      await engine.resume(run.runId, input.user);
      return 'Resumed.';
    case 'abort':
      await engine.abort(run.runId, input.user);
      return 'Aborting: no new hosts start; cleanup runs.';
    case 'rollback': {
      const done = await engine.rollback(run.runId, input.user);
      if (done.applied) return `Rolling back ${done.hosts.join(', ')}: they go back to what they had.`;
      return done.why === 'already'
        ? `Nothing more was done: already rolled back at the request of ${done.by ?? 'someone'}.`
        : 'Nothing to roll back: every host it changed was restored already.';
    }
    case 'retry': {
      const id = await engine.retryFailed(run.runId, input.user);
      return `Retrying the failed hosts as run ${id}.`;
    }
  }
}
