import { posix } from 'node:path';

/**
 * Where a bundle's file goes on hosts. Checked twice: its shape when the manifest is read (absolute, normal,
 * tame characters) and its place against the roots Marshal's configuration allows bundles to write under,
 * so a reviewed-but-wrong manifest still cannot overwrite `/etc/passwd`.
 */
const TAME = /^[A-Za-z0-9._/-]+$/;

/** Why `path` is not an acceptable target path, or undefined when it is. */
export function targetPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `must be an absolute path, found "${path}"`;
  if (!TAME.test(path)) return 'may contain only letters, digits, ".", "_", "-" and "/"';
  if (path.split('/').some((part) => part === '..' || part === '.'))
    return 'must not contain "." or ".." segments';
  if (path.endsWith('/') || path.includes('//'))
    return 'must name a file, without empty segments or a trailing "/"';
  if (posix.normalize(path) !== path) return 'must be a normalised path';
  return undefined;
}

/** Why `path` is outside every allowed root, or undefined when it is inside one (never the root itself). */
export function outsideAllowedRoots(path: string, roots: readonly string[]): string | undefined {
  const inside = roots.some((root) => {
    const dir = root.endsWith('/') ? root : `${root}/`;
    return path.startsWith(dir) && path.length > dir.length;
  });
  return inside ? undefined : `must be under one of the allowed roots (${roots.join(', ')}), found "${path}"`;
}

/** The side files Marshal keeps beside a target, named after the run so two runs never share one. */
export function sidePaths(
  target: string,
  runId: string,
): { candidate: string; backup: string; restore: string } {
  const dir = posix.dirname(target);
  const base = posix.basename(target);
  const tag = runId.replace(/[^A-Za-z0-9_-]/g, '_');
  return {
    candidate: `${dir}/.${base}.marshal-new-${tag}`,
    backup: `${target}.marshal-backup-${tag}`,
    restore: `${dir}/.${base}.marshal-restore-${tag}`,
  };
}
