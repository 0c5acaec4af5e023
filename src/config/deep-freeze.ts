/**
 * Freezes a value and everything it holds, as Marshal does with what it parses once at start-up (the
 * settings, the config file, the inventory), so no part of the process can change them afterwards.
 * Freezes before descending and skips what is frozen already, so shared or cyclic parts are visited once.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
