import { z } from 'zod';
import { NAME_PATTERN } from '../inventory/marshal-inventory-schema.js';

/** One host as `marshal init` takes it: `name=address[:port]`, `address[:port]` or `[v6]:port`. */
export interface InitHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

const Port = z.coerce
  .number({ error: 'is not a port number' })
  .int('is not a whole number')
  .min(1, 'must be from 1 to 65535')
  .max(65535, 'must be from 1 to 65535');

/**
 * Parses the hosts `marshal init` is given (`--hosts` or typed at the prompt), separated by commas or
 * spaces. Each is `address`, `address:port`, `name=address[:port]`; a name defaults to the address with
 * dots turned to dashes, so it can be written in a selector. Pure; throws an Error naming the bad entry.
 */
export function parseInitHosts(text: string): InitHost[] {
  const entries = text.split(/[\s,]+/).filter((e) => e !== '');
  if (entries.length === 0) throw new Error('name at least one host, e.g. web-1=10.0.0.11 or 10.0.0.12:2222');
  const hosts = entries.map(parseEntry);
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.name))
      throw new Error(`host name '${h.name}' is given twice: name them apart with name=address`);
    seen.add(h.name);
  }
  return hosts;
}

function parseEntry(entry: string): InitHost {
  const eq = entry.indexOf('=');
  const named = eq >= 0 ? entry.slice(0, eq) : undefined;
  const target = eq >= 0 ? entry.slice(eq + 1) : entry;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(target);
  const colons = target.split(':').length - 1;
  const [address, portText] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : colons === 1
      ? (target.split(':') as [string, string])
      : [target, undefined];
  if (!/^[A-Za-z0-9._:-]+$/.test(address))
    throw new Error(`'${entry}': '${address}' is not a host name or IP address`);
  let port = 22;
  if (portText !== undefined) {
    const parsed = Port.safeParse(portText);
    if (!parsed.success) throw new Error(`'${entry}': port ${parsed.error.issues[0]!.message}`);
    port = parsed.data;
  }
  const name = named ?? address.replace(/[.:]/g, '-');
  if (!NAME_PATTERN.test(name))
    throw new Error(
      `'${entry}': host name '${name}' must be letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  return { name, address, port };
}
