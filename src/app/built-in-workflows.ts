import { fileURLToPath } from 'node:url';
import configPush from '../../workflows/config-push.js';
import osUpgrade from '../../workflows/os-upgrade.js';
import osUpgradeStatus from '../../workflows/os-upgrade-status.js';
import type { AnyWorkflowModule } from '../kit/workflow-module.js';

/**
 * The workflows every Marshal has. They are workflow modules like the ones Marshal loads from the
 * directories its config names, checked and registered the same way; only where they come from differs.
 */
export const BUILT_IN_WORKFLOWS: readonly { module: AnyWorkflowModule; file: string }[] = [
  { module: configPush, file: fileURLToPath(new URL('../../workflows/config-push.ts', import.meta.url)) },
  { module: osUpgrade, file: fileURLToPath(new URL('../../workflows/os-upgrade.ts', import.meta.url)) },
  {
    module: osUpgradeStatus,
    file: fileURLToPath(new URL('../../workflows/os-upgrade-status.ts', import.meta.url)),
  },
];
