import { z } from 'zod';

/** A named set of hosts, as the inventory resolved it (child groups already folded in). */
export const InventoryGroup = z.object({
  name: z.string().min(1),
  /** Every member, direct or through child groups, in inventory order. */
  hosts: z.array(z.string()),
  /** Direct child groups, as written. */
  children: z.array(z.string()),
  /** The group's own variables (before merging into hosts). */
  vars: z.record(z.string(), z.unknown()),
});
export type InventoryGroup = z.infer<typeof InventoryGroup>;
