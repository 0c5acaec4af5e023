import type { AuditEntryInput } from '../audit/audit-entry.js';
import type { MarshalConfig, OpsAccess, TargetRule } from '../config/marshal-config.js';
import type { Inventory } from '../inventory/inventory.js';
import type { ChangeFreeze } from './change-freeze.js';
import type { RunSchedules } from './run-schedules.js';

/** What the fleet-wide controls (stop-all, freeze, per-target access, schedules) work with. */
export interface OpsControl {
  readonly audit: { append(entry: AuditEntryInput): Promise<void> };
  readonly freeze: ChangeFreeze;
  readonly targetRules: readonly TargetRule[];
  readonly ops: OpsAccess;
  /** The hosts a run would touch, when its params name them (a `selector`); undefined when they do not. */
  targetsOf(params: Record<string, unknown>): string[] | undefined;
  /** The hosts a selector picks (none when it picks nothing). */
  reach(selector: string): string[];
  readonly schedules?: RunSchedules;
  /** Told when a freeze was set or lifted here, so the cards of active runs show it at once. */
  onFreezeChange?(): void;
}

export function createOpsControl(input: {
  config: Pick<MarshalConfig, 'access'>;
  inventory: Pick<Inventory, 'select'>;
  audit: OpsControl['audit'];
  freeze: ChangeFreeze;
  schedules?: RunSchedules;
  onFreezeChange?: () => void;
}): OpsControl {
  const reach = (selector: string): string[] => {
    try {
      return input.inventory.select(selector).map((h) => h.name);
    } catch {
      return [];
    }
  };
  return {
    audit: input.audit,
    freeze: input.freeze,
    targetRules: input.config.access.targets,
    ops: input.config.access.ops,
    reach,
    targetsOf(params) {
      const selector = params.selector;
      if (typeof selector !== 'string') return undefined;
      return input.inventory.select(selector).map((h) => h.name);
    },
    ...(input.schedules ? { schedules: input.schedules } : {}),
    ...(input.onFreezeChange ? { onFreezeChange: input.onFreezeChange } : {}),
  };
}
