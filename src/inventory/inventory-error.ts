import { ErrorCode, ValidationError, type FieldIssue } from '../errors/index.js';

/** The one way inventory parsers refuse a file: a ValidationError coded InvalidInventory, naming the source. */
export function invalidInventory(source: string, issues: FieldIssue[]): ValidationError {
  return new ValidationError(`Inventory ${source}`, issues, {
    code: ErrorCode.InvalidInventory,
    context: { source },
  });
}
