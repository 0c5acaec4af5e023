export { createLogger, silentLogger, type Logger, type LoggerSettings } from './logger.js';
export { scrubSecrets, redactUrl, REDACTED, REDACT_PATHS } from './redact.js';
