import type { MarshalConfig } from '../config/marshal-config.js';
import { ChangeFreeze } from '../control/change-freeze.js';
import { createOpsControl, type OpsControl } from '../control/ops-control.js';
import type { RunSchedules } from '../control/run-schedules.js';
import type { Marshal } from './create-marshal.js';

/**
 * The fleet controls (freeze, per-target access, stop-all, schedules) on a Marshal's Redis, inventory and
 * audit: `serve` gives them to Slack, `marshal run` and the CLI controls admit runs through them.
 */
export function opsControlFor(
  marshal: Marshal,
  config: MarshalConfig,
  schedules?: RunSchedules,
  onFreezeChange?: () => void,
): OpsControl {
  return createOpsControl({
    ...(onFreezeChange ? { onFreezeChange } : {}),
    config,
    inventory: marshal.inventory,
    audit: marshal.audit,
    freeze: new ChangeFreeze(marshal.redis, marshal.prefix, config.freeze.windows),
    ...(schedules ? { schedules } : {}),
  });
}
