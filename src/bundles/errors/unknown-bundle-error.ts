import { ErrorCode, MarshalError } from '../../errors/index.js';
import { rankByDistance } from '../../inventory/closest-matches.js';

/** A bundle name the store does not have: refused with every known bundle, closest to the typo first. */
export class UnknownBundleError extends MarshalError {
  override name = 'UnknownBundleError';
  readonly known: readonly string[];

  constructor(bundle: string, where: string, known: readonly string[]) {
    const ranked = rankByDistance(bundle, known);
    super(
      ErrorCode.InvalidBundle,
      `No bundle '${bundle}' in ${where}; ${
        ranked.length
          ? `known bundles, closest first: ${ranked.slice(0, 10).join(', ')}`
          : 'it holds no bundles'
      }${ranked.length > 10 ? ` (and ${ranked.length - 10} more)` : ''}`,
      { retryable: false, context: { bundle, where, known: ranked } },
    );
    this.known = ranked;
  }
}
