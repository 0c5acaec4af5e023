import { ErrorCode, MarshalError } from '../../errors/index.js';

/** Where an ACME issuance stopped: what the operator looks at next differs for each. */
export type AcmeStage = 'directory' | 'account' | 'order' | 'challenge' | 'finalize' | 'download';

/** The ACME server did not issue the certificate. Nothing was deployed. */
export class AcmeOrderFailedError extends MarshalError {
  override name = 'AcmeOrderFailedError';
  readonly certificate: string;
  readonly stage: AcmeStage;

  constructor(
    certificate: string,
    stage: AcmeStage,
    detail: string,
    options: { domain?: string; retryable?: boolean; cause?: unknown; directoryUrl?: string } = {},
  ) {
    const where = options.domain ? ` for ${options.domain}` : '';
    super(
      ErrorCode.AcmeOrderFailed,
      `Certificate "${certificate}": ACME ${stage}${where} failed: ${detail}`,
      {
        retryable: options.retryable ?? false,
        cause: options.cause,
        context: { certificate, stage, domain: options.domain, directoryUrl: options.directoryUrl, detail },
      },
    );
    this.certificate = certificate;
    this.stage = stage;
  }
}
