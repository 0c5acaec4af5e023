import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Client, SFTPWrapper } from 'ssh2';
import type { UploadSpec } from '../executor.js';

const CHUNK = 64 * 1024;

export function openSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

function call<T = void>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

/**
 * Atomic replace over SFTP: write a temporary file beside the target, fsync it, set mode and owner,
 * then posix-rename it over the target. Readers see the old file or the new one, never half of one.
 * The temporary file is removed when anything fails.
 */
export async function uploadAtomic(
  sftp: SFTPWrapper,
  spec: UploadSpec,
  ids: { uid?: number; gid?: number },
): Promise<{ sha256: string }> {
  const content = typeof spec.content === 'string' ? Buffer.from(spec.content, 'utf8') : spec.content;
  const sha256 = createHash('sha256').update(content).digest('hex');
  const dir = posix.dirname(spec.path);
  const tmp = posix.join(dir, `.${posix.basename(spec.path)}.marshal-${randomBytes(6).toString('hex')}.tmp`);
  const mode = spec.mode ?? 0o644;
  let handle: Buffer | undefined;
  try {
    handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode }, cb));
    for (let offset = 0; offset < content.length; offset += CHUNK) {
      const length = Math.min(CHUNK, content.length - offset);
      await call((cb) => sftp.write(handle!, content, offset, length, offset, cb));
    }
    await call((cb) => sftp.ext_openssh_fsync(handle!, cb)).catch(() => {
      // Servers without fsync@openssh.com: the rename is still atomic, only durability is weaker.
    });
    await call((cb) => sftp.close(handle!, cb));
    handle = undefined;
    await call((cb) => sftp.chmod(tmp, mode, cb));
    if (ids.uid !== undefined || ids.gid !== undefined) {
      const st = await call<{ uid: number; gid: number }>((cb) => sftp.stat(tmp, cb));
      await call((cb) => sftp.chown(tmp, ids.uid ?? st.uid, ids.gid ?? st.gid, cb));
    }
    await call((cb) => sftp.ext_openssh_rename(tmp, spec.path, cb));
    return { sha256 };
  } catch (err) {
    if (handle) await call((cb) => sftp.close(handle!, cb)).catch(() => {});
    await call((cb) => sftp.unlink(tmp, cb)).catch(() => {});
    throw err;
  }
}

export function downloadFile(sftp: SFTPWrapper, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    sftp.readFile(path, (err, data) => (err ? reject(err) : resolve(data))),
  );
}
