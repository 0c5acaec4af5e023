import { randomBytes } from 'node:crypto';

/** A file as the stand-in keeps it: what `files.completeUploadExternal` shares into a channel. */
export interface StoredFile {
  id: string;
  name: string;
  title: string;
  /** The byte count the client announced in `files.getUploadURLExternal`. */
  length: number;
  mimetype: string;
  bytes?: Buffer;
  altText?: string;
}

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
};

/**
 * Slack's three-step upload (files.getUploadURLExternal → POST the bytes to the URL it gave →
 * files.completeUploadExternal), kept in memory. A file must have been uploaded, with the announced
 * length, before it can be completed, as Slack requires.
 */
export class FileUploads {
  private readonly files = new Map<string, StoredFile>();

  reserve(name: string, length: number, altText?: string): StoredFile {
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    const extension = name.split('.').pop()?.toLowerCase() ?? '';
    const file: StoredFile = {
      id,
      name,
      title: name,
      length,
      mimetype: MIME_BY_EXTENSION[extension] ?? 'application/octet-stream',
      ...(altText ? { altText } : {}),
    };
    this.files.set(id, file);
    return file;
  }

  /** Stores the uploaded bytes; an unknown id or a length other than announced is refused. */
  receive(id: string, bytes: Buffer): 'ok' | 'unknown' | 'length_mismatch' {
    const file = this.files.get(id);
    if (!file) return 'unknown';
    if (bytes.length !== file.length) return 'length_mismatch';
    file.bytes = bytes;
    return 'ok';
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }
}
