import type { Redis } from 'ioredis';
import type { Logger } from '../log/index.js';
import { auditRecord, type AuditEntryInput, type AuditSink } from './audit-entry.js';
import { AuditRecord, GENESIS_HASH, hashText, recordText, type HashedAuditRecord } from './audit-record.js';
import { verifyChain, type ChainVerdict } from './verify-chain.js';

/**
 * Appends records in a row if the chain's head is still the one the first was built on: the records, the
 * new head and the runs' indexes change in one step, so two writers can never both extend the same head.
 * A record whose dedupe id was appended before (an event recorded by another process), or comes twice
 * here, is named by its place (0-based) and nothing is written: the writer drops it and sends the rest.
 * KEYS: head, records, then per record its run index and its dedupe key (the head's name when none).
 * ARGV: head hash, first seq, genesis hash, count, then per record: text, hash, run id, dedupe id.
 */
const APPEND = `
local head = redis.call('HMGET', KEYS[1], 'seq', 'hash')
local seq = tonumber(head[1] or '0')
local hash = head[2] or ARGV[3]
if hash ~= ARGV[1] or seq + 1 ~= tonumber(ARGV[2]) then return {'conflict'} end
local n = tonumber(ARGV[4])
local batch = {}
for i = 0, n - 1 do
  if ARGV[8 + i * 4] ~= '' then
    local key = KEYS[4 + i * 2]
    if batch[key] or redis.call('EXISTS', key) == 1 then return {'duplicate', tostring(i)} end
    batch[key] = true
  end
end
for i = 0, n - 1 do
  local s = tostring(seq + 1 + i)
  if ARGV[8 + i * 4] ~= '' then redis.call('SET', KEYS[4 + i * 2], '1', 'EX', 604800) end
  redis.call('HSET', KEYS[2], s, ARGV[5 + i * 4])
  if ARGV[7 + i * 4] ~= '' then redis.call('ZADD', KEYS[3 + i * 2], s, s) end
end
redis.call('HSET', KEYS[1], 'seq', tostring(seq + n), 'hash', ARGV[6 + (n - 1) * 4])
return {'ok'}
`;

/** Records sent in one append at most (a busy trail and a rollout's hosts finishing together). */
const MAX_BATCH = 100;

interface Pending {
  entry: ReturnType<typeof auditRecord>;
  dedupeId: string;
  resolve(record: HashedAuditRecord | undefined): void;
  reject(err: unknown): void;
}

/** Something else that keeps every record, so the audit outlives Redis (file, HTTP). */
export interface SecondSink {
  append(record: HashedAuditRecord): Promise<void>;
}

export interface AppendOptions {
  /** Appends nothing if a record with this id was appended before (within a week). */
  dedupeId?: string;
}

/**
 * The durable audit record: one hash-chained sequence of records in Redis (each carries the hash of the
 * one before), an index per run, and a structured pino line per record for log shipping. A record is
 * written before `append` resolves, so a crash after a step cannot lose what the step recorded.
 */
export class RedisAuditLog implements AuditSink {
  private readonly secondSinks: SecondSink[] = [];
  /** Records waiting for the append under way to finish (see `record`). */
  private readonly pending: Pending[] = [];
  private flushing = false;
  /** The head as this process's last append left it; undefined until read, or after a lost race. */
  private lastHead: { seq: number; hash: string } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {}

  /** Every record appended from now on is also written there (after Redis has it). */
  addSink(sink: SecondSink): void {
    this.secondSinks.push(sink);
  }

  async append(input: AuditEntryInput): Promise<void> {
    await this.record(input);
  }

  /** Appends and returns the record as chained (undefined: a duplicate of `dedupeId`, not appended). */
  async record(input: AuditEntryInput, options: AppendOptions = {}): Promise<HashedAuditRecord | undefined> {
    const entry = auditRecord(input);
    // Appends queue in this process and go to Redis together: every concurrent writer of a big rollout
    // (50 hosts finishing at once, the run-event trail) would otherwise read the same head, all but one
    // lose the compare-and-set, and each retry costs two more round trips: quadratic in the writers. Now
    // the records waiting while one append is under way go in the next, one round trip for all of them,
    // on the head this process wrote last; only another process's append makes it read the head again.
    const record = await new Promise<HashedAuditRecord | undefined>((resolve, reject) => {
      this.pending.push({ entry, dedupeId: options.dedupeId ?? '', resolve, reject });
      if (!this.flushing) void this.flush();
    });
    if (!record) return undefined;
    this.log.info({ audit: record }, `audit ${entry.kind}`);
    for (const sink of this.secondSinks) {
      // Redis has the record; a second sink that fails is reported, never allowed to undo it.
      await sink
        .append(record)
        .catch((err: unknown) =>
          this.log.error({ err, seq: record.seq }, 'the second audit sink could not take a record'),
        );
    }
    return record;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) await this.appendBatch(this.pending.splice(0, MAX_BATCH));
    } finally {
      this.flushing = false;
    }
  }

  /** Appends `batch` in order, settling each record's promise; never throws. */
  private async appendBatch(batch: Pending[]): Promise<void> {
    const keys = this.keys();
    let rest = batch;
    for (let attempt = 0; rest.length > 0; attempt++) {
      try {
        // The head this process appended last, unless an append lost the race (then Redis's).
        const head = this.lastHead ?? (await this.head());
        let prev = head;
        const built = rest.map((p) => {
          const seq = prev.seq + 1;
          const text = recordText(p.entry, seq, prev.hash);
          prev = { seq, hash: hashText(text) };
          return { p, text, hash: prev.hash };
        });
        const recordKeys = built.flatMap((b) => [
          b.p.entry.runId ? keys.run(b.p.entry.runId) : keys.head,
          b.p.dedupeId ? `${keys.seen}:${b.p.dedupeId}` : keys.head,
        ]);
        const recordArgs = built.flatMap((b) => [b.text, b.hash, b.p.entry.runId ?? '', b.p.dedupeId]);
        let reply: string[];
        try {
          reply = (await this.redis.eval(
            APPEND,
            2 + recordKeys.length,
            keys.head,
            keys.records,
            ...recordKeys,
            head.hash,
            String(head.seq + 1),
            GENESIS_HASH,
            String(built.length),
            ...recordArgs,
          )) as string[];
        } catch (err) {
          // Unknown whether it was written: the next append reads the head again.
          this.lastHead = undefined;
          throw err;
        }
        if (reply[0] === 'ok') {
          this.lastHead = prev;
          for (const b of built) b.p.resolve({ ...AuditRecord.parse(JSON.parse(b.text)), hash: b.hash });
          return;
        }
        if (reply[0] === 'duplicate') {
          // Nothing was written; the head is still the one read. The rest go without the duplicate.
          this.lastHead = head;
          const i = Number(reply[1]);
          rest[i]?.resolve(undefined);
          rest = rest.filter((_, j) => j !== i);
          continue;
        }
        // Another writer extended the head first: build on the new head. Bounded, but generous.
        this.lastHead = undefined;
        if (attempt >= 100)
          throw new Error('the audit chain is too busy: 100 appends in a row lost the race');
      } catch (err) {
        for (const p of rest) p.reject(err);
        return;
      }
    }
  }

  /** One run's records, in order. */
  async entries(runId: string): Promise<AuditRecord[]> {
    const seqs = await this.redis.zrange(this.keys().run(runId), 0, -1);
    if (seqs.length === 0) return [];
    const texts = await this.redis.hmget(this.keys().records, ...seqs);
    return texts.flatMap((t) => (t ? [AuditRecord.parse(JSON.parse(t))] : []));
  }

  /** Records from `from` to `to` (numbers, inclusive), with their hashes, skipping missing ones. */
  async range(from: number, to: number): Promise<HashedAuditRecord[]> {
    const out: HashedAuditRecord[] = [];
    for (const [i, text] of (await this.texts(from, to)).entries()) {
      if (text === undefined) continue;
      const parsed = AuditRecord.safeParse(JSON.parse(text));
      if (parsed.success) out.push({ ...parsed.data, hash: hashText(text) });
      else this.log.warn({ seq: from + i }, 'audit record unreadable; skipped');
    }
    return out;
  }

  async head(): Promise<{ seq: number; hash: string }> {
    const [seq, hash] = await this.redis.hmget(this.keys().head, 'seq', 'hash');
    return { seq: Number(seq ?? 0), hash: hash ?? GENESIS_HASH };
  }

  /** Checks the whole chain; names the first broken record. */
  async verify(): Promise<ChainVerdict> {
    const head = await this.head();
    // More records stored than the head counts: some were put there without the chain. (A gap is found
    // first, by number, if records are also missing.)
    const stored = await this.redis.hlen(this.keys().records);
    return verifyChain(head, (from, to) => this.texts(from, to), Math.max(0, stored - head.seq));
  }

  /** Where an operator finds a run's record (shown in the Slack thread). */
  reference(runId: string): string {
    return `marshal audit export --run ${runId}`;
  }

  private async texts(from: number, to: number): Promise<(string | undefined)[]> {
    if (to < from) return [];
    const fields: string[] = [];
    for (let s = from; s <= to; s++) fields.push(String(s));
    const texts = await this.redis.hmget(this.keys().records, ...fields);
    return texts.map((t) => t ?? undefined);
  }

  private keys() {
    const base = `${this.prefix}:audit`;
    return {
      head: `${base}:head`,
      records: `${base}:records`,
      seen: `${base}:seen`,
      run: (runId: string) => `${base}:run:${runId}`,
    };
  }
}
