import { ErrorCode, MarshalError } from '../../errors/index.js';
import { counted } from '../../text/counted.js';

/** Hosts that do not meet a bundle's requirements; the run stops before any host is changed. */
export class PrecheckFailedError extends MarshalError {
  override name = 'PrecheckFailedError';
  readonly failures: readonly { host: string; problems: string[] }[];

  constructor(failures: { host: string; problems: string[] }[], context: Record<string, unknown> = {}) {
    const shown = failures.slice(0, 5).map((f) => `${f.host}: ${f.problems.join('; ')}`);
    const more = failures.length > 5 ? `; and ${counted(failures.length - 5, 'more host')}` : '';
    super(
      ErrorCode.PrecheckFailed,
      `Pre-checks failed on ${counted(failures.length, 'host')}: ${shown.join(' | ')}${more}`,
      {
        retryable: false,
        context: { ...context, failures },
      },
    );
    this.failures = failures;
  }
}
