import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { scrubSecrets, type Logger } from '../../log/index.js';

/**
 * Bolt logs through this adapter into Marshal's pino logger, so its lines get the same redaction and
 * format. Bolt passes free text (sometimes with request details), hence `scrubSecrets`.
 */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  const text = (msg: unknown[]): string =>
    scrubSecrets(msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' '));
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(text(msg)),
    info: (...msg: unknown[]) => child.info(text(msg)),
    warn: (...msg: unknown[]) => child.warn(text(msg)),
    error: (...msg: unknown[]) => child.error(text(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
