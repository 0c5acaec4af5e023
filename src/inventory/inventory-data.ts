import type { Host } from '../hosts/host.js';
import type { InventoryGroup } from './inventory-group.js';

/** What every inventory format parses into: hosts in file order, with vars already merged, and groups. */
export interface InventoryData {
  /** Where it came from (a path, or a label in tests), for error messages. */
  source: string;
  hosts: Host[];
  groups: InventoryGroup[];
  /** Things imported but not understood (e.g. a jump host Marshal could not map); shown to the operator. */
  warnings: string[];
}
