import type { ZodError } from 'zod';
import { ErrorCode } from './error-code.js';
import { MarshalError } from './marshal-error.js';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `limits.rate` or `batches[2]`; empty for the whole input. */
  path: string;
  /** What was wrong and what is allowed. */
  message: string;
}

/** Input from a person or a host that Marshal refuses. Never retryable: the same input fails the same way. */
export class ValidationError extends MarshalError {
  override name = 'ValidationError';
  readonly issues: readonly FieldIssue[];

  constructor(
    what: string,
    issues: FieldIssue[],
    options: { code?: ErrorCode; context?: Record<string, unknown> } = {},
  ) {
    super(options.code ?? ErrorCode.InvalidInput, `${what}: ${issues.map(formatIssue).join('; ')}`, {
      retryable: false,
      context: { ...options.context, issues },
    });
    this.issues = issues;
  }

  static fromZod(
    what: string,
    error: ZodError,
    options: { code?: ErrorCode; context?: Record<string, unknown> } = {},
  ): ValidationError {
    return new ValidationError(
      what,
      error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
      options,
    );
  }
}

function formatIssue(issue: FieldIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
