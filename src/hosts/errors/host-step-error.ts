import type { ErrorCode } from '../../errors/index.js';
import { MarshalError } from '../../errors/index.js';
import type { ExecResult } from '../executor.js';
import { scrubSecrets } from '../../log/index.js';

/**
 * A step failed on one host: a command exited non-zero, an application's check refused a file, a reload,
 * a reboot or a health check failed, or a checksum is not the one written. Carries the command's exit and
 * the tail of its output (scrubbed) so the operator sees why without opening a shell.
 */
export class HostStepError extends MarshalError {
  override name = 'HostStepError';

  constructor(
    code: ErrorCode,
    host: string,
    message: string,
    options: {
      result?: ExecResult;
      retryable?: boolean;
      context?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    const output = options.result ? tail(options.result.stderr.trim() || options.result.stdout.trim()) : '';
    super(code, `${host}: ${message}${output ? ` — ${output}` : ''}`, {
      retryable: options.retryable ?? false,
      cause: options.cause,
      context: {
        ...options.context,
        host,
        ...(options.result ? { exitCode: options.result.exitCode, signal: options.result.signal } : {}),
      },
    });
  }
}

function tail(text: string): string {
  const scrubbed = scrubSecrets(text);
  return scrubbed.length > 300 ? `…${scrubbed.slice(-300)}` : scrubbed;
}
