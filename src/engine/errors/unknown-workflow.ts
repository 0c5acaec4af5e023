import { ErrorCode, MarshalError } from '../../errors/index.js';

/** A run asked for a workflow the registry does not know. */
export class UnknownWorkflow extends MarshalError {
  override name = 'UnknownWorkflow';
  constructor(name: string, known: string[], options: { cause?: unknown } = {}) {
    super(
      ErrorCode.UnknownWorkflow,
      `no workflow named "${name}"; known workflows: ${known.join(', ') || '(none)'}`,
      { retryable: false, context: { name, known }, cause: options.cause },
    );
  }
}
