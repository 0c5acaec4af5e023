import type { Redis } from 'ioredis';
import type { Logger } from '../log/index.js';
import { auditRecord, type AuditEntryInput, type AuditSink } from './audit-entry.js';
import { AuditRecord, GENESIS_HASH, hashText, recordText, type HashedAuditRecord } from './audit-record.js';
import { verifyChain, type ChainVerdict } from './verify-chain.js';

/**
 * Appends one record if the chain's head is still the one the record was built on: the record, the new
 * head and the run's index change in one step, so two writers can never both extend the same head.
 * A record with a dedupe id already appended (an event recorded by another process) is skipped.
 */
const APPEND = `
local head = redis.call('HMGET', KEYS[1], 'seq', 'hash')
local seq = tonumber(head[1] or '0')
local hash = head[2] or ARGV[7]
if hash ~= ARGV[1] or seq + 1 ~= tonumber(ARGV[2]) then return {'conflict'} end
if ARGV[6] ~= '' then
  if not redis.call('SET', KEYS[4], '1', 'NX', 'EX', 604800) then return {'duplicate'} end
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'hash', ARGV[4])
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[3], ARGV[2], ARGV[2]) end
return {'ok'}
`;

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
  /** The end of this process's queue of appends (see `record`). */
  private tail: Promise<void> = Promise.resolve();
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
    // One append at a time per process: every concurrent writer of a big rollout (50 hosts finishing at
    // once, the run-event trail) would otherwise read the same head, all but one lose the compare-and-set,
    // and each retry costs two more round trips: quadratic in the writers. In turn, each append is one
    // round trip on the head this process wrote last; only another process's append makes it read again.
    const turn = this.tail.then(() => this.appendInTurn(entry, options));
    this.tail = turn.then(
      () => undefined,
      () => undefined,
    );
    const record = await turn;
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

  private async appendInTurn(
    entry: ReturnType<typeof auditRecord>,
    options: AppendOptions,
  ): Promise<HashedAuditRecord | undefined> {
    const keys = this.keys();
    for (let attempt = 0; ; attempt++) {
      // The head this process appended last, unless an append lost the race (then Redis's).
      const head = this.lastHead ?? (await this.head());
      const seq = head.seq + 1;
      const text = recordText(entry, seq, head.hash);
      const hash = hashText(text);
      let reply: string[];
      try {
        reply = (await this.redis.eval(
          APPEND,
          4,
          keys.head,
          keys.records,
          entry.runId ? keys.run(entry.runId) : keys.head,
          options.dedupeId ? `${keys.seen}:${options.dedupeId}` : keys.head,
          head.hash,
          String(seq),
          text,
          hash,
          entry.runId ?? '',
          options.dedupeId ?? '',
          GENESIS_HASH,
        )) as string[];
      } catch (err) {
        // Unknown whether it was written: the next append reads the head again.
        this.lastHead = undefined;
        throw err;
      }
      if (reply[0] === 'duplicate') {
        this.lastHead = head;
        return undefined;
      }
      if (reply[0] === 'ok') {
        this.lastHead = { seq, hash };
        return { ...AuditRecord.parse(JSON.parse(text)), hash };
      }
      // Another writer extended the head first: build on the new head. Bounded, but generous.
      this.lastHead = undefined;
      if (attempt >= 100) throw new Error('the audit chain is too busy: 100 appends in a row lost the race');
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
