import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ConfigProblem } from './invalid-config-error.js';
import type { MarshalConfig } from './marshal-config.js';

type Kind = 'file' | 'directory' | 'file or directory';

/**
 * Every file and directory Marshal's config names, checked when the config is loaded: a missing key or
 * inventory is reported with its field (`ssh.privateKey`) and the path it resolved to, before anything
 * connects, instead of a bare ENOENT half-way through a command. Returns the problems, none when all is
 * well. Contents are checked by their own loaders (inventory, bundles, workflow modules).
 */
export async function checkConfigFiles(config: MarshalConfig): Promise<ConfigProblem[]> {
  const relative = `relative paths are taken from ${config.configDir}, ~/ from your home directory`;
  const checks: Promise<ConfigProblem | undefined>[] = [
    expect('inventory', config.inventory, 'file or directory', {
      fix: `Point inventory at Marshal's YAML inventory or an Ansible inventory (${relative}); \`marshal init\` writes one`,
    }),
    expect('bundles', config.bundles, 'directory', {
      fix: `Point bundles at the directory of configuration bundles, one <name>/bundle.yaml each (${relative}); \`marshal init\` writes a first one`,
    }),
    ...config.workflows.map((dir, i) =>
      expect(`workflows[${i}]`, dir, 'directory', {
        fix: `Name a directory of workflow modules (${relative}), or remove the entry`,
      }),
    ),
  ];
  const ssh = config.ssh;
  if (ssh?.privateKey !== undefined)
    checks.push(
      expect('ssh.privateKey', ssh.privateKey, 'file', {
        fix: `Point ssh.privateKey at the private key Marshal logs in to hosts with, OpenSSH format (${relative}), or remove it and set ssh.useAgent: true; \`marshal init\` can create one`,
      }),
    );
  if (ssh)
    checks.push(
      ssh.trustOnFirstUse
        ? // Trust on first use appends to the file: it may be missing, but its directory must exist.
          expect('ssh.knownHosts', ssh.knownHosts, 'file', {
            fix: `Create the directory ${dirname(ssh.knownHosts)} (${relative})`,
            missingIsFine: true,
          })
        : expect('ssh.knownHosts', ssh.knownHosts, 'file', {
            fix: `Point ssh.knownHosts at an OpenSSH known_hosts file with your hosts' keys (${relative}); \`marshal init\` fetches them and asks you to confirm their fingerprints`,
          }),
    );
  if (ssh?.useAgent && ssh.privateKey === undefined && !process.env.SSH_AUTH_SOCK)
    checks.push(
      Promise.resolve({
        where: 'ssh.useAgent',
        problem: 'SSH_AUTH_SOCK is not set, so there is no ssh-agent to use',
        fix: 'Start Marshal where an ssh-agent runs (eval $(ssh-agent); ssh-add), or set ssh.privateKey',
      }),
    );
  return (await Promise.all(checks)).filter((p): p is ConfigProblem => p !== undefined);
}

async function expect(
  where: string,
  path: string,
  kind: Kind,
  how: { fix: string; missingIsFine?: boolean },
): Promise<ConfigProblem | undefined> {
  const problem = (text: string): ConfigProblem => ({ where, problem: text, fix: how.fix });
  let found: Awaited<ReturnType<typeof stat>>;
  try {
    found = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && how.missingIsFine) {
      const parent = await stat(dirname(path)).catch(() => undefined);
      return parent?.isDirectory() ? undefined : problem(`${path}: its directory does not exist`);
    }
    if (code === 'ENOENT') return problem(`${path} does not exist`);
    if (code === 'EACCES') return problem(`${path} cannot be reached (permission denied)`);
    return problem(`${path} cannot be read (${code ?? String(err)})`);
  }
  if (kind === 'file' && !found.isFile()) return problem(`${path} is not a file`);
  if (kind === 'directory' && !found.isDirectory()) return problem(`${path} is not a directory`);
  const readable = await access(path, constants.R_OK).then(
    () => true,
    () => false,
  );
  if (!readable) return problem(`${path} is not readable by this user`);
  return undefined;
}
