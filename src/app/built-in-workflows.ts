import { fileURLToPath } from 'node:url';
import certRadar from '../../workflows/cert-radar.js';
import certRenew from '../../workflows/cert-renew.js';
import certStatus from '../../workflows/cert-status.js';
import configPush from '../../workflows/config-push.js';
import type { AnyWorkflowModule } from '../kit/workflow-module.js';

/**
 * The workflows every Marshal has. They are workflow modules like the ones Marshal loads from the
 * directories its config names, checked and registered the same way; only where they come from differs.
 */
export const BUILT_IN_WORKFLOWS: readonly { module: AnyWorkflowModule; file: string }[] = [
  { module: configPush, file: fileURLToPath(new URL('../../workflows/config-push.ts', import.meta.url)) },
  { module: certRenew, file: fileURLToPath(new URL('../../workflows/cert-renew.ts', import.meta.url)) },
  { module: certStatus, file: fileURLToPath(new URL('../../workflows/cert-status.ts', import.meta.url)) },
  { module: certRadar, file: fileURLToPath(new URL('../../workflows/cert-radar.ts', import.meta.url)) },
];
