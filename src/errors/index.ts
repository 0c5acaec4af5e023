export { ErrorCode } from './error-code.js';
export { MarshalError, isMarshalError, type MarshalErrorOptions } from './marshal-error.js';
export { ValidationError, formatPath, type FieldIssue } from './validation-error.js';
