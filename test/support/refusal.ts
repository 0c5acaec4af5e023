import { inspect } from 'node:util';
import { chai } from 'vitest';

/**
 * Any error class, abstract ones included (`MarshalError`). `never[]` accepts every constructor signature,
 * so callers pass the class itself and get its instance type back, not `Error`.
 */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * The error `run` throws, typed as `type`, for a test to assert on its message and fields. Fails the test
 * when `run` returns normally or throws something that is not a `type`: a helper that returned `undefined`
 * or the wrong error would let the assertions after it pass or fail for the wrong reason.
 */
export function thrownBy<E extends Error>(type: ErrorClass<E>, run: () => unknown): E {
  const expected = `expected ${article(type)} to be thrown`;
  try {
    run();
  } catch (err) {
    return instanceOf(type, err, expected, thrownBy);
  }
  return fail(`${expected}, but nothing was thrown`, undefined, thrownBy);
}

/**
 * The error the promise from `run` rejects with, typed as `type`; the async twin of `thrownBy`. A
 * synchronous throw from `run` counts as a rejection: callers write `() => load(x)` and care about the
 * error, not about whether `load` threw before or after its first `await`.
 */
export async function rejectedBy<E extends Error>(
  type: ErrorClass<E>,
  run: () => Promise<unknown>,
): Promise<E> {
  const expected = `expected a rejection with ${article(type)}`;
  try {
    await run();
  } catch (err) {
    return instanceOf(type, err, expected, rejectedBy);
  }
  return fail(`${expected}, but the promise resolved`, undefined, rejectedBy);
}

type Caller = (...args: never[]) => unknown;

function instanceOf<E extends Error>(type: ErrorClass<E>, err: unknown, expected: string, caller: Caller): E {
  if (err instanceof type) return err;
  // The other error goes along as `cause`, so its stack shows where it came from.
  return fail(`${expected}, but got ${described(err)}`, err, caller);
}

/**
 * Throws chai's AssertionError, the one vitest's `expect` throws, so the test fails as an assertion with
 * this message. `caller` starts the stack at the test's call, not inside this file.
 */
function fail(message: string, cause: unknown, caller: Caller): never {
  throw new chai.AssertionError(message, cause === undefined ? {} : { cause }, caller);
}

function article(type: ErrorClass<Error>): string {
  return `${/^[aeiou]/i.test(type.name) ? 'an' : 'a'} ${type.name}`;
}

function described(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return `a non-error value, ${inspect(value, { depth: 2, breakLength: Infinity })}`;
}
