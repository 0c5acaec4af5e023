import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { REDACT_PATHS, REDACTED } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level?: LoggerOptions['level'];
  /** Where lines go; tests pass an in-memory stream to read the log back. Default: stdout. */
  destination?: DestinationStream;
  name?: string;
}

/** The one way Marshal makes a logger. Every component takes a logger and uses `child({ runId, host })`. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    name: settings.name ?? 'marshal',
    level: settings.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A logger that drops everything, for wiring where no log is wanted (never for production paths). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
