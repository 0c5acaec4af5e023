import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { auditRecord, type AuditEntry, type AuditEntryInput, type AuditSink } from '../audit-entry.js';
import { AuditSinkError } from './audit-sink-error.js';

/**
 * The audit as an append-only JSON Lines file (mode 0600: records name hosts and people). Appends are
 * written one at a time in call order and each is fsynced before `append` resolves, so a record that
 * was acknowledged survives a crash of Marshal or of the machine.
 */
export class FileAuditSink implements AuditSink {
  private file: Promise<FileHandle> | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  append(input: AuditEntryInput): Promise<void> {
    const line = `${JSON.stringify(auditRecord(input))}\n`;
    const written = this.tail.then(() => this.write(line));
    // The next append waits for this one, whether it succeeded or not.
    this.tail = written.catch(() => undefined);
    return written;
  }

  /** Every record in the file, oldest first (what `tail -f` or a log shipper would read). */
  async entries(): Promise<AuditEntry[]> {
    const text = await readFile(this.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as AuditEntry);
  }

  async close(): Promise<void> {
    await this.tail;
    const file = this.file;
    this.file = undefined;
    if (file) await (await file).close();
  }

  private async write(line: string): Promise<void> {
    try {
      this.file ??= mkdir(dirname(this.path), { recursive: true }).then(() => open(this.path, 'a', 0o600));
      const handle = await this.file;
      await handle.appendFile(line, 'utf8');
      await handle.datasync();
    } catch (err) {
      this.file = undefined;
      throw new AuditSinkError(this.path, (err as Error).message, { cause: err });
    }
  }
}
