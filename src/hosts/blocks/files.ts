import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { ErrorCode } from '../../errors/error-code.js';
import type { HostExecutor } from '../executor.js';
import type { Host } from '../host.js';
import { HostStepError } from '../errors/host-step-error.js';
import { parseDfPortable } from '../../bundles/prechecks/disk-space.js';
import {
  diskUsageCommand,
  fileStateCommand,
  parseFileState,
  type RemoteFileState,
} from '../file-commands.js';
import { sh } from '../quote.js';
import { runChecked } from './command.js';
import type { BlockContext, CheckResult, DiskUsage, FileSpec, ReadFile, WrittenFile } from './types.js';

const TRANSFER_TIMEOUT_MS = 5 * 60_000;

export function sha256Of(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export async function fileState(
  executor: HostExecutor,
  host: Host,
  path: string,
  ctx: BlockContext,
): Promise<RemoteFileState> {
  const result = await runChecked(executor, host, fileStateCommand(path), ctx, {
    what: `read the checksum of ${path}`,
    timeoutMs: 30_000,
  });
  const state = parseFileState(result.stdout);
  if (!state)
    throw new HostStepError(
      ErrorCode.UnexpectedHostOutput,
      host.name,
      `sha256sum of ${path} printed something else than a checksum`,
      { result },
    );
  return state;
}

export async function readFile(
  executor: HostExecutor,
  host: Host,
  path: string,
  ctx: BlockContext,
): Promise<ReadFile> {
  const content = await executor.download(host, path, { signal: ctx.signal, timeoutMs: TRANSFER_TIMEOUT_MS });
  return { path, content, sha256: sha256Of(content) };
}

/** Mode and owner as the host reports them: `644 root root`. */
async function ownership(
  executor: HostExecutor,
  host: Host,
  path: string,
  ctx: BlockContext,
): Promise<{ mode: number; owner: string; group: string }> {
  const r = await runChecked(executor, host, sh`stat -c '%a %U %G' -- ${path}`, ctx, {
    what: `read the mode and owner of ${path}`,
    timeoutMs: 30_000,
  });
  const [mode = '', owner = '', group = ''] = r.stdout.trim().split(' ');
  return { mode: parseInt(mode, 8), owner, group };
}

/**
 * Atomic write with mode and owner (the executor stages beside the target and renames), verified by the
 * host's own sha256sum afterwards. A host that already has the content, mode and owner is not written.
 */
export async function writeFile(
  executor: HostExecutor,
  host: Host,
  file: FileSpec,
  ctx: BlockContext,
): Promise<WrittenFile> {
  const want = sha256Of(file.content);
  const mode = file.mode ?? 0o644;
  const before = await fileState(executor, host, file.path, ctx);
  const previousSha256 = before.exists ? before.sha256 : null;
  if (previousSha256 === want) {
    const now = await ownership(executor, host, file.path, ctx);
    const same =
      now.mode === mode &&
      (file.owner === undefined || now.owner === file.owner) &&
      (file.group === undefined || now.group === file.group);
    if (same) return { path: file.path, sha256: want, changed: false, previousSha256 };
  }
  await executor.upload(
    host,
    {
      path: file.path,
      content: file.content,
      mode,
      ...(file.owner !== undefined ? { owner: file.owner } : {}),
      ...(file.group !== undefined ? { group: file.group } : {}),
    },
    { signal: ctx.signal, timeoutMs: TRANSFER_TIMEOUT_MS },
  );
  const after = await fileState(executor, host, file.path, ctx);
  if (!after.exists || after.sha256 !== want)
    throw new HostStepError(
      ErrorCode.ChecksumMismatch,
      host.name,
      `${file.path} has sha256 ${after.exists ? after.sha256 : '(no file)'} after the upload, expected ${want}`,
    );
  return { path: file.path, sha256: want, changed: true, previousSha256 };
}

export async function writeFileCheck(
  executor: HostExecutor,
  host: Host,
  file: Pick<FileSpec, 'path' | 'content'>,
  ctx: BlockContext,
): Promise<CheckResult> {
  const state = await fileState(executor, host, file.path, ctx);
  return state.exists && state.sha256 === sha256Of(file.content) ? 'applied' : 'not_applied';
}

/** `<relative path>\t<sha256>` per regular file; parsed from `find … -exec sha256sum`. */
export async function directoryChecksums(
  executor: HostExecutor,
  host: Host,
  dir: string,
  ctx: BlockContext,
): Promise<Record<string, string>> {
  const r = await runChecked(
    executor,
    host,
    sh`cd -- ${dir} && find . -type f -exec sha256sum -- {} +`,
    ctx,
    { what: `checksum the files under ${dir}`, timeoutMs: 5 * 60_000 },
  );
  const sums: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const match = /^([0-9a-f]{64}) [ *]\.\/(.+)$/.exec(line);
    if (!match?.[1] || !match[2])
      throw new HostStepError(
        ErrorCode.UnexpectedHostOutput,
        host.name,
        `sha256sum under ${dir} printed a line that is not a checksum (file names with newlines are refused): ${line.slice(0, 120)}`,
      );
    sums[match[2]] = match[1];
  }
  return sums;
}

/**
 * Every regular file of `source` on `from` into `target` on `to`, over SFTP, each with its mode: each
 * file's sha256 on the source host must equal what was read, and the target host's sha256sum must equal
 * it after the atomic write.
 */
export async function copyDirectory(
  executor: HostExecutor,
  from: Host,
  to: Host,
  dir: { source: string; target: string; owner?: string; group?: string },
  ctx: BlockContext,
): Promise<Record<string, string>> {
  const sums = await directoryChecksums(executor, from, dir.source, ctx);
  const modes = await fileModes(executor, from, dir.source, ctx);
  const made = new Set<string>();
  for (const [relative, expected] of Object.entries(sums)) {
    const source = posix.join(dir.source, relative);
    const target = posix.join(dir.target, relative);
    const { content, sha256 } = await readFile(executor, from, source, ctx);
    if (sha256 !== expected)
      throw new HostStepError(
        ErrorCode.ChecksumMismatch,
        from.name,
        `${source} changed while it was copied (sha256 ${sha256}, listed as ${expected}): stop its writer first`,
      );
    const parent = posix.dirname(target);
    if (!made.has(parent)) {
      await runChecked(executor, to, sh`mkdir -p -- ${parent}`, ctx, { what: `create ${parent}` });
      made.add(parent);
    }
    await writeFile(
      executor,
      to,
      {
        path: target,
        content,
        mode: modes[relative] ?? 0o644,
        ...(dir.owner !== undefined ? { owner: dir.owner } : {}),
        ...(dir.group !== undefined ? { group: dir.group } : {}),
      },
      ctx,
    );
  }
  return sums;
}

async function fileModes(
  executor: HostExecutor,
  host: Host,
  dir: string,
  ctx: BlockContext,
): Promise<Record<string, number>> {
  const r = await runChecked(executor, host, sh`cd -- ${dir} && find . -type f -printf '%m %P\\n'`, ctx, {
    what: `list the files under ${dir}`,
  });
  const modes: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) modes[line.slice(space + 1)] = parseInt(line.slice(0, space), 8);
  }
  return modes;
}

/** How full the file system holding `path` is (df -Pk). */
export async function diskUsage(
  executor: HostExecutor,
  host: Host,
  path: string,
  ctx: BlockContext,
): Promise<DiskUsage> {
  const r = await runChecked(executor, host, diskUsageCommand(path), ctx, {
    what: `read the disk usage of ${path}`,
    timeoutMs: 30_000,
  });
  const df = parseDfPortable(r.stdout, host.name);
  return { path, usedPercent: df.usedPercent, availableKb: df.availableKb, mountedOn: df.mountedOn };
}
