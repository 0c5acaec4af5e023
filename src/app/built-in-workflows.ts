import { fileURLToPath } from 'node:url';
import configPush from '../../workflows/config-push.js';
import type { AnyWorkflowModule } from '../kit/workflow-module.js';

/**
 * The workflows every Marshal has. They are workflow modules like the ones Marshal loads from the
 * directories its config names, checked and registered the same way; only where they come from differs.
 */
// `.ts` when run from sources, `.js` in the compiled build (dist/): the file an error names must exist.
const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

export const BUILT_IN_WORKFLOWS: readonly { module: AnyWorkflowModule; file: string }[] = [
  { module: configPush, file: fileURLToPath(new URL(`../../workflows/config-push.${ext}`, import.meta.url)) },
];
