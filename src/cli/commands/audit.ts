import { createWriteStream } from 'node:fs';
import { pino } from 'pino';
import { InvalidArgumentError } from 'commander';
import { formatRecords, matchesFilter, RedisAuditLog, type ExportFormat } from '../../audit/index.js';
import { loadCoreSettings } from '../../config/settings.js';
import { connectRedis } from '../../engine/runtime/redis-connection.js';
import { probeRedis } from '../../engine/runtime/redis-connection.js';
import { readDuration } from '../../engine/rollout/duration.js';
import { createLogger } from '../../log/index.js';

/** `--since 2026-11-01T00:00:00Z` or `--since 24h` (that long ago). */
export function parseSince(text: string, now = Date.now()): Date {
  const ago = readDuration(text);
  if (ago !== undefined) return new Date(now - ago);
  const at = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(at)) return new Date(at);
  throw new InvalidArgumentError(
    'an ISO date or time (2026-11-01, 2026-11-01T08:00:00Z) or a duration ago (30m, 24h, 1h30m)',
  );
}

export function parseFormat(text: string): ExportFormat {
  if (text === 'jsonl' || text === 'csv') return text;
  throw new InvalidArgumentError('jsonl or csv');
}

async function withAudit<T>(use: (audit: RedisAuditLog) => Promise<T>): Promise<T> {
  const settings = loadCoreSettings();
  await probeRedis(settings.redisUrl);
  const redis = connectRedis(settings.redisUrl, 'marshal-audit-cli');
  try {
    const audit = new RedisAuditLog(
      redis,
      settings.prefix,
      createLogger({ level: 'error', destination: pino.destination(2) }),
    );
    return await use(audit);
  } finally {
    redis.disconnect();
  }
}

/**
 * `marshal audit verify`: walks the whole hash chain; exit 0 when it is whole, 3 naming the first broken
 * record (edited, deleted, moved) when it is not.
 */
export async function auditVerifyCommand(out: (line: string) => void): Promise<number> {
  return withAudit(async (audit) => {
    const verdict = await audit.verify();
    if (!verdict.broken) {
      const head = await audit.head();
      out(`audit chain intact: ${verdict.checked} records, head #${head.seq} ${head.hash}`);
      return 0;
    }
    out(`audit chain BROKEN at record #${verdict.broken.seq}: ${verdict.broken.detail}`);
    out(`records #1–#${verdict.checked} are intact`);
    return 3;
  });
}

/** `marshal audit export [--since …] [--run …] [--format jsonl|csv] [--out file]`. */
export async function auditExportCommand(options: {
  since?: Date;
  run?: string;
  format: ExportFormat;
  out?: string;
}): Promise<void> {
  await withAudit(async (audit) => {
    const sink = options.out ? createWriteStream(options.out, { flags: 'wx' }) : process.stdout;
    const write = (text: string) =>
      new Promise<void>((resolve, reject) => sink.write(text, (err) => (err ? reject(err) : resolve())));
    const filter = {
      ...(options.since ? { since: options.since } : {}),
      ...(options.run ? { runId: options.run } : {}),
    };
    let header = true;
    if (options.run) {
      const records = (await audit.entries(options.run)).map((r) => r.seq);
      for (let i = 0; i < records.length; i += 500) {
        const seqs = records.slice(i, i + 500);
        const chunk = (await audit.range(seqs[0]!, seqs.at(-1)!)).filter((r) => matchesFilter(r, filter));
        await write(formatRecords(chunk, options.format, header));
        header = false;
      }
    } else {
      const head = await audit.head();
      for (let from = 1; from <= head.seq; from += 500) {
        const chunk = (await audit.range(from, Math.min(head.seq, from + 499))).filter((r) =>
          matchesFilter(r, filter),
        );
        await write(formatRecords(chunk, options.format, header));
        header = false;
      }
    }
    if (header) await write(formatRecords([], options.format, true));
    if (sink !== process.stdout) await new Promise<void>((r) => sink.end(r));
  });
}
