export { AuditSinkConfig, type AuditSinkConfigInput } from './audit-sink-config.js';
export { AuditSinkError } from './audit-sink-error.js';
export { createAuditSink } from './create-audit-sink.js';
export { FileAuditSink } from './file-audit-sink.js';
export { HttpAuditSink, type HttpAuditSinkOptions } from './http-audit-sink.js';
export { TeeAuditSink } from './tee-audit-sink.js';
