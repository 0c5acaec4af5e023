import { chai, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors/index.js';
import { rejectedBy, thrownBy } from '../../support/refusal.js';

// The helper's own failures must be assertion failures: a helper that passed on no throw or on the wrong
// class would let every test built on it pass without the refusal it claims to check.
const { AssertionError } = chai;

class Refused extends Error {
  override name = 'Refused';
  constructor(readonly field: string) {
    super(`refused ${field}`);
  }
}

class OtherRefusal extends Error {
  override name = 'OtherRefusal';
}

/** The AssertionError `run` fails with; a plain try/catch, so it does not lean on the helper it tests. */
async function assertionFrom(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (err) {
    if (err instanceof AssertionError) return err;
    throw new Error(`expected an AssertionError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected an AssertionError, nothing was thrown');
}

describe('thrownBy', () => {
  it('returns the thrown error, typed as its class', () => {
    const thrown = new Refused('port');
    const err = thrownBy(Refused, () => {
      throw thrown;
    });
    expect(err).toBe(thrown);
    expect(err.field).toBe('port');
  });

  it('accepts a subclass of the expected class', () => {
    const err = thrownBy(Error, () => {
      throw new Refused('port');
    });
    expect(err).toBeInstanceOf(Refused);
  });

  it('fails when nothing is thrown, naming the class it expected', async () => {
    const failure = await assertionFrom(() => thrownBy(Refused, () => 42));
    expect(failure.message).toBe('expected a Refused to be thrown, but nothing was thrown');
  });

  it('fails on another class, naming both and keeping the other error as the cause', async () => {
    const other = new OtherRefusal('wrong kind');
    const failure = await assertionFrom(() =>
      thrownBy(Refused, () => {
        throw other;
      }),
    );
    expect(failure.message).toBe('expected a Refused to be thrown, but got OtherRefusal: wrong kind');
    expect(failure.cause).toBe(other);
  });

  it('fails on a thrown non-error value, showing it', async () => {
    const failure = await assertionFrom(() =>
      thrownBy(ValidationError, () => {
        const notAnError: unknown = 'a string';
        throw notAnError;
      }),
    );
    expect(failure.message).toBe(
      "expected a ValidationError to be thrown, but got a non-error value, 'a string'",
    );
  });
});

describe('rejectedBy', () => {
  it('returns the rejection, typed as its class', async () => {
    const err = await rejectedBy(Refused, () => Promise.reject(new Refused('host')));
    expect(err.field).toBe('host');
  });

  it('takes a synchronous throw from the function as its rejection', async () => {
    const err = await rejectedBy(Refused, () => {
      throw new Refused('sync');
    });
    expect(err.field).toBe('sync');
  });

  it('fails when the promise resolves', async () => {
    const failure = await assertionFrom(() => rejectedBy(Refused, async () => 'fine'));
    expect(failure.message).toBe('expected a rejection with a Refused, but the promise resolved');
  });

  it('fails on another class, naming both and keeping the other error as the cause', async () => {
    const other = new TypeError('x is undefined');
    const failure = await assertionFrom(() => rejectedBy(Refused, () => Promise.reject(other)));
    expect(failure.message).toBe('expected a rejection with a Refused, but got TypeError: x is undefined');
    expect(failure.cause).toBe(other);
  });
});
