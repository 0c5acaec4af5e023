import { formatPath } from '../errors/index.js';

/**
 * Field paths as operators write them in a manifest: `limits.rate`, `pools.default.min`, `upstreams[0].url`,
 * and `*` for "every entry of this map or list" (`limits.*.rate`). Parsed once, then resolved against a
 * parsed config to the concrete fields they name, each with the path an error message should show.
 */
/** A map key, a list index, or `'*'` (field names cannot contain `*`, so the wildcard is unambiguous). */
export type PathSegment = string | number;

const SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_-]*|\*)$/;

/** Returns the segments, or the reason the path is malformed. */
export function parseFieldPath(text: string): PathSegment[] | { error: string } {
  if (text.trim() === '') return { error: 'a field path cannot be empty' };
  const segments: PathSegment[] = [];
  for (const dotted of text.split('.')) {
    const match = /^([^[\]]*)((?:\[(?:\d+|\*)\])*)$/.exec(dotted);
    if (!match) return { error: `"${dotted}" in "${text}" is not a field name, an index like [0] or [*]` };
    const [, name = '', indexes = ''] = match;
    if (name !== '') {
      if (!SEGMENT.test(name))
        return { error: `"${name}" in "${text}" is not a field name (letters, digits, _ and -)` };
      segments.push(name);
    } else if (indexes === '') {
      return { error: `"${text}" has an empty segment` };
    }
    for (const idx of indexes.matchAll(/\[(\d+|\*)\]/g)) {
      const value = idx[1] ?? '';
      segments.push(value === '*' ? '*' : Number(value));
    }
  }
  return segments;
}

export interface ResolvedField {
  /** Concrete path segments (wildcards expanded). */
  path: (string | number)[];
  value: unknown;
}

/**
 * Every field a path names. A missing field resolves to `undefined` (the schema says whether that is
 * allowed); a wildcard over something that is not a map or list names nothing.
 */
export function resolveFieldPath(
  root: unknown,
  segments: readonly PathSegment[],
  base: (string | number)[] = [],
): ResolvedField[] {
  let current: ResolvedField[] = [{ path: base, value: root }];
  for (const segment of segments) {
    const next: ResolvedField[] = [];
    for (const field of current) {
      const value = field.value;
      if (segment === '*') {
        if (Array.isArray(value))
          value.forEach((item, i) => next.push({ path: [...field.path, i], value: item }));
        else if (isPlainObject(value))
          for (const [key, item] of Object.entries(value))
            next.push({ path: [...field.path, key], value: item });
      } else {
        next.push({ path: [...field.path, segment], value: childOf(value, segment) });
      }
    }
    current = next;
  }
  return current;
}

function childOf(value: unknown, segment: string | number): unknown {
  if (typeof segment === 'number') return Array.isArray(value) ? value[segment] : undefined;
  if (isPlainObject(value) && Object.hasOwn(value, segment)) return value[segment];
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { formatPath };
