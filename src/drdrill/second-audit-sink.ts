import type { AuditSink } from '../audit/audit-entry.js';
import { AuditSinkConfig, createAuditSink } from '../audit/sinks/index.js';
import type { Scenario } from './scenario/scenario-schema.js';

/**
 * The scenario's second audit sink (`audit: { file: … }` or `audit: { http: … }`), which lives outside
 * the region being evacuated: losing the primary mid-drill loses no audit. Built on Marshal's audit sinks
 * (an append-only JSON Lines file flushed before `append` resolves; an HTTP collector with retries).
 */
export function secondAuditSink(scenario: Scenario): AuditSink | undefined {
  const spec = scenario.audit;
  if (!spec) return undefined;
  const config = AuditSinkConfig.parse(
    'file' in spec ? { type: 'file', path: spec.file } : { type: 'http', url: spec.http },
  );
  return createAuditSink(config, process.env, 'audit');
}
