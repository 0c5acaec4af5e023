import type { DestinationStream } from 'pino';

const LEVELS: Record<number, string> = { 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/**
 * Where `marshal run` sends its log: one readable line per record (`marshal: warning: …`), never JSON or
 * a stack trace. Records about one of the run's tasks are left out: the progress lines print each task's
 * failure, once. `LOG_LEVEL=debug` still shows everything, as JSON, for whoever debugs.
 */
export function terminalLog(write: (line: string) => void): DestinationStream {
  return {
    write(json: string): void {
      let record: { level?: number; msg?: string; taskId?: unknown; err?: { message?: string } };
      try {
        record = JSON.parse(json) as typeof record;
      } catch {
        write(json.trimEnd());
        return;
      }
      if (record.taskId !== undefined) return;
      const level = LEVELS[record.level ?? 30] ?? 'log';
      const cause = record.err?.message ? `: ${record.err.message}` : '';
      write(`marshal: ${level}: ${record.msg ?? ''}${cause}`);
    },
  };
}
