import { z } from 'zod';

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?';
const DOMAIN = new RegExp(`^(?:${LABEL}\\.)*${LABEL}\\.?$`);

/**
 * A DNS name, absolute or not; read as absolute (with its final dot) and lowercase. Narrow on purpose:
 * names travel into `knsupdate`'s command script, where a space separates arguments and a line is a command.
 */
export const DomainName = z
  .string()
  .max(253, 'a DNS name has at most 253 characters')
  .regex(DOMAIN, 'must be a DNS name such as "api.example.com." (labels of letters, digits, "-", "_")')
  .transform((name) => absolute(name.toLowerCase()));

export function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

export function isDomainName(value: string): boolean {
  return DOMAIN.test(value) && value.length <= 253;
}

/** Whether `owner` is `zone` or a name below it (both absolute). */
export function inZone(owner: string, zone: string): boolean {
  return zone === '.' || owner === zone || owner.endsWith(`.${zone}`);
}
