import { z } from 'zod';

/** A host as Marshal knows it, from the inventory. `name` is its id everywhere (locks, ledger, audit). */
export const Host = z.object({
  name: z.string().min(1),
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).default('root'),
  region: z.string().optional(),
  role: z.string().optional(),
  tags: z.array(z.string()).default([]),
  /** Inventory groups the host belongs to, directly or through child groups (never the implicit `all`). */
  groups: z.array(z.string()).default([]),
  /** Name of another inventory host to jump through (OpenSSH's ProxyJump). */
  jump: z.string().optional(),
  vars: z.record(z.string(), z.unknown()).default({}),
});
export type Host = z.infer<typeof Host>;
export type HostInput = z.input<typeof Host>;
