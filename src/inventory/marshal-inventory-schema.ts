import { z } from 'zod';
import { describeValue } from './describe-value.js';
import { unknownKeyMessage } from './zod-messages.js';

/**
 * Host, group, role, region and tag names: letters, digits, `.`, `_`, `-`. Kept this narrow so a name can
 * always be written in a selector from Slack and never carries glob or shell meaning.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

const Name = (what: string) =>
  z.string().regex(NAME_PATTERN, {
    error: (iss) =>
      `expected a ${what} of letters, digits, '.', '_' or '-' starting with a letter or digit, got ${describeValue(iss.input)}`,
  });

export const Port = z.custom<number>(
  (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535,
  {
    error: (iss) => `expected integer 1..65535, got ${describeValue(iss.input)}`,
  },
);

const Vars = z.record(z.string(), z.unknown());

function strict<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, { error: unknownKeyMessage(Object.keys(shape)) });
}

export const MarshalHostEntry = strict({
  /** DNS name or IP to connect to; defaults to the host's name. */
  address: z.string().min(1).optional(),
  port: Port.optional(),
  user: Name('user name').optional(),
  region: Name('region').optional(),
  role: Name('role').optional(),
  tags: z.array(Name('tag')).optional(),
  /** Another host of this inventory to jump through. */
  jump: Name('host name').optional(),
  vars: Vars.optional(),
});

export const MarshalDefaults = strict({
  port: Port.optional(),
  user: Name('user name').optional(),
  region: Name('region').optional(),
  jump: Name('host name').optional(),
  vars: Vars.optional(),
});

export const MarshalGroupEntry = strict({
  hosts: z.array(Name('host name')).optional(),
  children: z.array(Name('group name')).optional(),
  vars: Vars.optional(),
});

/** The whole file. `hosts` is required; an entry with no body (`web-01:`) is a host reached by its name. */
export const MarshalInventoryFile = strict({
  version: z.literal(1, { error: (iss) => `expected 1, got ${describeValue(iss.input)}` }).optional(),
  defaults: MarshalDefaults.optional(),
  hosts: z.record(Name('host name'), MarshalHostEntry.nullable()),
  groups: z.record(Name('group name'), MarshalGroupEntry.nullable()).optional(),
});
export type MarshalInventoryFile = z.infer<typeof MarshalInventoryFile>;

export const MARSHAL_TOP_LEVEL_KEYS: readonly string[] = Object.keys(MarshalInventoryFile.shape);
