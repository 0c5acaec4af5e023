import { InvalidConfigError } from '../../config/invalid-config-error.js';
import type { AuditSink } from '../audit-entry.js';
import type { AuditSinkConfig } from './audit-sink-config.js';
import { FileAuditSink } from './file-audit-sink.js';
import { HttpAuditSink } from './http-audit-sink.js';

/** The sink a validated `AuditSinkConfig` describes; a named token variable must be set. */
export function createAuditSink(
  config: AuditSinkConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
  field = 'audit.sinks[0]',
): AuditSink {
  if (config.type === 'file') return new FileAuditSink(config.path);
  const token = config.tokenEnv ? env[config.tokenEnv] : undefined;
  if (config.tokenEnv && !token)
    throw new InvalidConfigError("Marshal's environment", [
      {
        where: `${field}.tokenEnv`,
        problem: `names ${config.tokenEnv}, which is not set`,
        fix: `Set ${config.tokenEnv} to the collector's bearer token, or remove tokenEnv`,
      },
    ]);
  return new HttpAuditSink({
    url: config.url,
    token,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
  });
}
