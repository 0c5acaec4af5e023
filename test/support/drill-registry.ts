import type { Redis } from 'ioredis';
import { inertDeps } from '../../src/app/modules/inert-deps.js';
import { RedisAuditLog } from '../../src/audit/index.js';
import type { EngineRuntime } from '../../src/engine/index.js';
import { createRegistry } from '../../src/engine/registry.js';
import { compileWorkflowModule } from '../../src/kit/template.js';
import { silentLogger } from '../../src/log/index.js';
import type { Notifier } from '../../src/notify/notifier.js';
import { RedisWorkflowRecords } from '../../src/records/redis-workflow-records.js';
import drDrill from '../../workflows/dr-drill.js';
import drDrillHistory from '../../workflows/dr-drill-history.js';
import drDrillStatus from '../../workflows/dr-drill-status.js';

export const DRILL_MODULES = [drDrill, drDrillStatus, drDrillHistory];

/**
 * The drill's three built-in modules compiled with Marshal's standard deps on the test's Redis, as
 * createMarshal compiles them (records per workflow, `workflowSettings.dr-drill` as settings); the engine
 * is bound late. Shared by the in-process fixture and the worker child process.
 */
export function drillRegistry(input: {
  redis: Redis;
  prefix: string;
  settings: unknown;
  notifier: Notifier;
  engine: () => EngineRuntime;
}) {
  const audit = new RedisAuditLog(input.redis, input.prefix, silentLogger());
  const dirs = { config: '/tmp', module: '/tmp', assets: undefined };
  return {
    audit,
    registry: createRegistry(
      DRILL_MODULES.map((module) =>
        compileWorkflowModule(module, {
          ...inertDeps(dirs),
          audit,
          notifier: input.notifier,
          runs: {
            get: (id) => input.engine().get(id),
            list: (o) => input.engine().list(o),
            locks: () => input.engine().locks(),
          },
          records: new RedisWorkflowRecords(input.redis, input.prefix, module.records ?? module.name),
          settings: module.name === 'dr-drill' ? input.settings : undefined,
          log: silentLogger(),
        }),
      ),
    ),
  };
}
