import { AuditRecord, GENESIS_HASH, hashText } from './audit-record.js';

/** The first place the chain is broken, named by the record's number, and what is wrong there. */
export interface ChainBreak {
  seq: number;
  problem: 'missing' | 'unreadable' | 'moved' | 'edited' | 'extra';
  detail: string;
}

export interface ChainVerdict {
  /** Records checked (the head's number when the chain is whole). */
  checked: number;
  broken?: ChainBreak;
}

/**
 * Walks the chain from record 1 to the head, `read` giving the stored texts of a range of record
 * numbers (undefined where nothing is stored). Pure apart from `read`: the store is behind it.
 *
 * A record edited in place no longer hashes to the `prevHash` the next record carries; a deleted one
 * leaves a gap; records moved to other places carry the wrong `seq`; the last record is checked against
 * the head's hash, which is written in the same atomic step as the record.
 */
export async function verifyChain(
  head: { seq: number; hash: string },
  read: (from: number, to: number) => Promise<(string | undefined)[]>,
  extraRecords: number,
  chunk = 500,
): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  for (let from = 1; from <= head.seq; from += chunk) {
    const to = Math.min(head.seq, from + chunk - 1);
    const texts = await read(from, to);
    for (let seq = from; seq <= to; seq++) {
      const text = texts[seq - from];
      const broken = check(seq, text, prevHash);
      if (broken) return { checked: seq - 1, broken };
      prevHash = hashText(text!);
    }
  }
  if (head.seq > 0 && prevHash !== head.hash)
    return {
      checked: head.seq - 1,
      broken: {
        seq: head.seq,
        problem: 'edited',
        detail: `record #${head.seq} (the last) was changed after it was written: it no longer matches the chain's head hash`,
      },
    };
  if (extraRecords > 0)
    return {
      checked: head.seq,
      broken: {
        seq: head.seq + 1,
        problem: 'extra',
        detail: `${extraRecords} record(s) stored beyond the head (#${head.seq}) were not written through the chain`,
      },
    };
  return { checked: head.seq };
}

function check(seq: number, text: string | undefined, prevHash: string): ChainBreak | undefined {
  if (text === undefined) return { seq, problem: 'missing', detail: `record #${seq} is missing (deleted)` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { seq, problem: 'unreadable', detail: `record #${seq} is not JSON any more (edited)` };
  }
  const parsed = AuditRecord.safeParse(json);
  if (!parsed.success)
    return { seq, problem: 'unreadable', detail: `record #${seq} is not an audit record any more (edited)` };
  if (parsed.data.seq !== seq)
    return {
      seq,
      problem: 'moved',
      detail: `place #${seq} holds record #${parsed.data.seq}: records were reordered or moved`,
    };
  if (parsed.data.prevHash !== prevHash) {
    // The hash of record seq-1 as stored now differs from the one taken when #seq was written:
    // #seq-1 was changed (or #seq's own link was, which also changes #seq's hash).
    const edited = seq === 1 ? 1 : seq - 1;
    return {
      seq: edited,
      problem: 'edited',
      detail:
        seq === 1
          ? 'record #1 was changed after it was written: it no longer starts the chain'
          : `record #${edited} was changed after it was written: record #${seq} carries a different hash of it`,
    };
  }
  return undefined;
}
