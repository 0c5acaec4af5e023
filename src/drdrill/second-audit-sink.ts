import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuditEntry, type AuditSink } from '../audit/audit-entry.js';
import type { Scenario } from './scenario/scenario-schema.js';

/**
 * The scenario's second audit sink (`audit: { file: … }` or `audit: { http: … }`), which lives outside
 * the region being evacuated: losing the primary mid-drill loses no audit.
 */
export function secondAuditSink(scenario: Scenario): AuditSink | undefined {
  const spec = scenario.audit;
  if (!spec) return undefined;
  if ('file' in spec) {
    const path = spec.file;
    return {
      async append(entry) {
        await mkdir(dirname(path), { recursive: true });
        await appendFile(path, `${JSON.stringify(AuditEntry.parse(entry))}\n`, { mode: 0o600 });
      },
    };
  }
  const url = spec.http;
  return {
    async append(entry) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(AuditEntry.parse(entry)),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`audit sink ${url} answered HTTP ${response.status}`);
    },
  };
}
