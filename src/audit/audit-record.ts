import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AuditEntry } from './audit-entry.js';

/** The `prevHash` of the first record: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex');

/**
 * An audit entry as the chain keeps it: its place (`seq`, from 1, no gaps) and the hash of the record
 * before it. The record's own hash is the sha256 of its stored JSON text, so any change to a stored
 * record (or to the `prevHash` it carries) breaks the link the next record holds.
 */
export const AuditRecord = AuditEntry.extend({
  seq: z.number().int().positive(),
  prevHash: Sha256Hex,
});
export type AuditRecord = z.infer<typeof AuditRecord>;

/** A record with its own hash, as exports carry it (the stored text has no hash of itself). */
export type HashedAuditRecord = AuditRecord & { hash: string };

/** The text stored for a record: fixed field order, so the same record always hashes the same. */
export function recordText(entry: AuditEntry, seq: number, prevHash: string): string {
  const record: AuditRecord = {
    seq,
    prevHash,
    at: entry.at,
    ...(entry.runId !== undefined ? { runId: entry.runId } : {}),
    kind: entry.kind,
    actor: entry.actor,
    ...(entry.target !== undefined ? { target: entry.target } : {}),
    ...(entry.link !== undefined ? { link: entry.link } : {}),
    data: entry.data,
  };
  return JSON.stringify(record);
}

export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
