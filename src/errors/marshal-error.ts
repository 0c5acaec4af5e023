import type { ErrorCode } from './error-code.js';

export interface MarshalErrorOptions {
  /** Whether trying the same thing again can help. Bad input, refused keys and the like never can. */
  retryable?: boolean;
  /** What an operator needs to act on the error: the run, host, field, task… Never secrets. */
  context?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The base of every error Marshal raises on purpose. `code` is stable for machines; `message` is written
 * for the operator who reads it in Slack or a terminal; `retryable` drives the engine's retry policy.
 */
export class MarshalError extends Error {
  override name = 'MarshalError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: MarshalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }

  /** A plain-object form for logs, events and the audit record. */
  toJSON(): {
    name: string;
    code: ErrorCode;
    message: string;
    retryable: boolean;
    context: Record<string, unknown>;
  } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      context: { ...this.context },
    };
  }
}

export function isMarshalError(err: unknown): err is MarshalError {
  return err instanceof MarshalError;
}
