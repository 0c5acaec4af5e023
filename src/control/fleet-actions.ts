import type { Principal } from '../config/marshal-config.js';
import type { Freeze } from './change-freeze.js';
import type { OpsControl } from './ops-control.js';
import type { ScheduleListing } from './run-schedules.js';

/** The access checks the fleet-wide controls need: the same AccessControl Slack and the console use. */
export interface FleetAccess {
  allows(right: 'start' | 'approve', workflow: string, user: string): Promise<boolean>;
  among(principals: readonly Principal[], user: string): Promise<boolean>;
  approvesAny(user: string): Promise<boolean>;
}

export type OpsRight = 'stopAll' | 'freeze';

/**
 * Whether `user` may use a fleet-wide control (stop-all, freeze): the principals `access.ops` names
 * for it, or, when it names none, anyone who may approve some workflow. Slack and the console ask here.
 */
export async function mayUseOps(
  control: Pick<OpsControl, 'ops'>,
  access: FleetAccess,
  right: OpsRight,
  user: string,
): Promise<boolean> {
  const principals = control.ops[right];
  return principals ? access.among(principals, user) : access.approvesAny(user);
}

/** Who may use it, for a refusal: `mention` renders a principal as the front end shows people. */
export function opsAllowed(
  control: Pick<OpsControl, 'ops'>,
  right: OpsRight,
  mention: (p: Principal) => string,
): string {
  const principals = control.ops[right];
  return principals ? principals.map(mention).join(', ') || 'no one' : 'anyone who may approve some workflow';
}

/**
 * Lifts the manual freeze and records who did (with where it was announced, if it was). Declared
 * windows stay: they are lifted in the config. Access is the caller's to check first (mayUseOps).
 */
export async function liftFreeze(
  control: Pick<OpsControl, 'freeze' | 'audit' | 'onFreezeChange'>,
  user: string,
  announce: () => Promise<string | undefined> = () => Promise.resolve(undefined),
): Promise<{ lifted: boolean; left: Freeze | undefined }> {
  const lifted = await control.freeze.lift();
  // Cards show the freeze while it is in force: they are redrawn when it ends.
  control.onFreezeChange?.();
  const left = await control.freeze.current();
  if (lifted) {
    const link = await announce();
    await control.audit.append({
      at: new Date().toISOString(),
      kind: 'ops.unfreeze',
      actor: user,
      ...(link ? { link } : {}),
    });
  }
  return { lifted, left };
}

/** Whoever set a schedule may remove it, and so may those who may approve its workflow. */
export async function mayRemoveSchedule(
  access: Pick<FleetAccess, 'allows'>,
  schedule: Pick<ScheduleListing, 'requester' | 'workflow'>,
  user: string,
): Promise<boolean> {
  return schedule.requester === user || access.allows('approve', schedule.workflow, user);
}

/** Removes a schedule and records who did. Access is the caller's to check first (mayRemoveSchedule). */
export async function removeSchedule(
  control: Pick<OpsControl, 'audit'> & { schedules: NonNullable<OpsControl['schedules']> },
  schedule: Pick<ScheduleListing, 'id' | 'workflow'>,
  user: string,
): Promise<void> {
  await control.schedules.remove(schedule.id);
  await control.audit.append({
    at: new Date().toISOString(),
    kind: 'schedule.removed',
    actor: user,
    data: { id: schedule.id, workflow: schedule.workflow },
  });
}
