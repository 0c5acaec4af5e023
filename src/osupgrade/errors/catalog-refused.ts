import { ErrorCode } from '../../errors/error-code.js';
import { MarshalError } from '../../errors/marshal-error.js';

/** A release catalog Marshal will not read: unsigned, tampered with, signed by another key, or malformed. */
export class CatalogRefused extends MarshalError {
  override name = 'CatalogRefused';

  constructor(source: string, problem: string, fix: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.CatalogRefused, `release catalog ${source} refused: ${problem}. ${fix}`, {
      retryable: false,
      context: { source, problem },
      ...options,
    });
  }
}
