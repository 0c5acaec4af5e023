import { z } from 'zod';
import { UnexpectedHostOutputError } from '../errors/unexpected-host-output-error.js';

/**
 * `/etc/os-release` (os-release(5)): shell-style `KEY=value` lines, values optionally quoted. Only ID and
 * VERSION_ID matter for requirements; ID is required by us even though the spec lets it default to "linux".
 */
const OsRelease = z.object({
  ID: z.string().regex(/^[a-z0-9._-]+$/, 'ID must be lowercase letters, digits, ".", "_" or "-"'),
  VERSION_ID: z
    .string()
    .regex(/^[a-zA-Z0-9._~-]+$/, 'VERSION_ID has characters os-release(5) does not allow')
    .optional(),
});
export interface OsReleaseInfo {
  id: string;
  versionId: string | undefined;
}

export function parseOsRelease(text: string, host?: string): OsReleaseInfo {
  const fields: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match)
      throw new UnexpectedHostOutputError('/etc/os-release', `line "${line}" is not KEY=value`, text, {
        host,
      });
    const [, key = '', value = ''] = match;
    fields[key] = unquote(value);
  }
  if (fields.ID === undefined)
    throw new UnexpectedHostOutputError('/etc/os-release', 'it has no ID= line', text, { host });
  const parsed = OsRelease.safeParse(fields);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ');
    throw new UnexpectedHostOutputError('/etc/os-release', problem, text, { host });
  }
  return { id: parsed.data.ID, versionId: parsed.data.VERSION_ID };
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? (quoted[2] ?? '').replace(/\\(["\\$`])/g, '$1') : value;
}
