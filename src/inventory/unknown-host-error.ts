import { ErrorCode, MarshalError } from '../errors/index.js';
import { closestMatches, didYouMeanOneOf } from './closest-matches.js';
import { counted } from '../text/counted.js';

/** A host name the inventory does not have. Not retryable: the inventory must change first. */
export class UnknownHostError extends MarshalError {
  override name = 'UnknownHostError';

  constructor(host: string, known: readonly string[], source: string) {
    const close = closestMatches(host, known);
    const hint = didYouMeanOneOf(close);
    super(
      ErrorCode.UnknownHost,
      `unknown host '${host}' in inventory ${source} (${counted(known.length, 'host')})${hint}`,
      {
        retryable: false,
        context: { host, source, closeMatches: close },
      },
    );
  }
}
