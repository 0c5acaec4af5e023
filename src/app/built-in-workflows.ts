import { fileURLToPath } from 'node:url';
import certRadar from '../../workflows/cert-radar.js';
import certRenew from '../../workflows/cert-renew.js';
import certStatus from '../../workflows/cert-status.js';
import configPush from '../../workflows/config-push.js';
import drDrill from '../../workflows/dr-drill.js';
import drDrillHistory from '../../workflows/dr-drill-history.js';
import drDrillStatus from '../../workflows/dr-drill-status.js';
import osUpgrade from '../../workflows/os-upgrade.js';
import osUpgradeStatus from '../../workflows/os-upgrade-status.js';
import type { AnyWorkflowModule } from '../kit/workflow-module.js';

/**
 * The workflows every Marshal has. They are workflow modules like the ones Marshal loads from the
 * directories its config names, checked and registered the same way; only where they come from differs.
 */
// `.ts` when run from sources, `.js` in the compiled build (dist/): the file an error names must exist.
const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

function builtIn(module: AnyWorkflowModule, name: string): { module: AnyWorkflowModule; file: string } {
  return { module, file: fileURLToPath(new URL(`../../workflows/${name}.${ext}`, import.meta.url)) };
}

export const BUILT_IN_WORKFLOWS: readonly { module: AnyWorkflowModule; file: string }[] = [
  builtIn(configPush, 'config-push'),
  builtIn(certRenew, 'cert-renew'),
  builtIn(certStatus, 'cert-status'),
  builtIn(certRadar, 'cert-radar'),
  builtIn(osUpgrade, 'os-upgrade'),
  builtIn(osUpgradeStatus, 'os-upgrade-status'),
  builtIn(drDrill, 'dr-drill'),
  builtIn(drDrillStatus, 'dr-drill-status'),
  builtIn(drDrillHistory, 'dr-drill-history'),
];
