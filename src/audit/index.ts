export { AuditEntry, type AuditEntryInput, type AuditSink } from './audit-entry.js';
export { RedisAuditLog } from './redis-audit-log.js';
