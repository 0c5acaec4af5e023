export { AuditEntry, type AuditEntryInput, type AuditSink } from './audit-entry.js';
export { AuditRecord, GENESIS_HASH, hashText, recordText, type HashedAuditRecord } from './audit-record.js';
export { RedisAuditLog, type SecondSink } from './redis-audit-log.js';
export { verifyChain, type ChainBreak, type ChainVerdict } from './verify-chain.js';
export {
  formatRecords,
  matchesFilter,
  CSV_COLUMNS,
  type ExportFormat,
  type ExportFilter,
} from './export-records.js';
