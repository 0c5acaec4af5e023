import { fileURLToPath } from 'node:url';
import configPush from '../../workflows/config-push.js';
import drDrill from '../../workflows/dr-drill.js';
import drDrillHistory from '../../workflows/dr-drill-history.js';
import drDrillStatus from '../../workflows/dr-drill-status.js';
import type { AnyWorkflowModule } from '../kit/workflow-module.js';

/**
 * The workflows every Marshal has. They are workflow modules like the ones Marshal loads from the
 * directories its config names, checked and registered the same way; only where they come from differs.
 */
export const BUILT_IN_WORKFLOWS: readonly { module: AnyWorkflowModule; file: string }[] = [
  { module: configPush, file: fileURLToPath(new URL('../../workflows/config-push.ts', import.meta.url)) },
  { module: drDrill, file: fileURLToPath(new URL('../../workflows/dr-drill.ts', import.meta.url)) },
  {
    module: drDrillStatus,
    file: fileURLToPath(new URL('../../workflows/dr-drill-status.ts', import.meta.url)),
  },
  {
    module: drDrillHistory,
    file: fileURLToPath(new URL('../../workflows/dr-drill-history.ts', import.meta.url)),
  },
];
