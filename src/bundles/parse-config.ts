import { parse as parseIni } from 'ini';
import { parseDocument } from 'yaml';
import type { FieldIssue } from '../errors/index.js';

export type ConfigFormat = 'yaml' | 'json' | 'ini' | 'plain';

/** A config file read in its format, or the syntax errors that stop it being read (with line numbers). */
export function parseConfig(
  text: string,
  format: ConfigFormat,
): { ok: true; value: unknown } | { ok: false; issues: FieldIssue[] } {
  switch (format) {
    case 'yaml': {
      // uniqueKeys: a key given twice is a mistake the application would resolve silently, one way or another.
      const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
      if (doc.errors.length > 0)
        return {
          ok: false,
          issues: doc.errors.map((e) => ({ path: '', message: `YAML: ${firstLine(e.message)}` })),
        };
      return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (err) {
        return { ok: false, issues: [{ path: '', message: `JSON: ${(err as Error).message}` }] };
      }
    case 'ini':
      // `ini` reads everything as strings (and bare keys as true); the schema check coerces scalars.
      return { ok: true, value: parseIni(text) };
    case 'plain':
      return { ok: true, value: text };
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
