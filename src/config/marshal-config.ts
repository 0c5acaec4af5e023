import { ConsoleConfig } from '../console/console-config.js';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath } from '../errors/index.js';
import { InvalidConfigError } from './invalid-config-error.js';
import { deepFreeze } from './deep-freeze.js';

/**
 * Marshal's config file (YAML): where the inventory is, and who may start and approve each workflow.
 * Principals are Slack user ids (`U…`/`W…`) or user group ids (`S…`); groups are resolved when a check
 * is made, so a change of the group in Slack takes effect without a restart.
 */
export const Principal = z
  .string()
  .regex(
    /^[UWS][A-Z0-9]{2,}$/,
    'must be a Slack user id (U… or W…) or a user group id (S…), e.g. U012AB3CD or S0123ABCD',
  );
export type Principal = z.infer<typeof Principal>;

export const WorkflowAccess = z
  .object({
    /** Who may start the workflow (and retry its failed targets). Unset: the workflow module's default. */
    start: z.array(Principal).optional(),
    /**
     * Who may decide its approval gates, hold, resume and abort its runs. The requester never approves.
     * Unset: the workflow module's default.
     */
    approve: z.array(Principal).optional(),
  })
  .strict();
export type WorkflowAccess = z.infer<typeof WorkflowAccess>;

export const SshConfig = z
  .object({
    /** Marshal's private key (OpenSSH format), relative to this file. Never logged. */
    privateKey: z.string().min(1, 'must name the private key file').optional(),
    /** Use the ssh-agent at SSH_AUTH_SOCK instead of (or besides) a key file. */
    useAgent: z.boolean().default(false),
    /** OpenSSH known_hosts file every host key is checked against, relative to this file. */
    knownHosts: z.string().min(1, 'must name the known_hosts file'),
    /** Accept and remember unknown host keys. Off: an unknown key is refused. */
    trustOnFirstUse: z.boolean().default(false),
    /** Open SSH connections across all hosts. */
    maxConnections: z.number().int().positive().default(256),
  })
  .strict()
  .refine((ssh) => ssh.privateKey !== undefined || ssh.useAgent, {
    message: 'give ssh.privateKey or set ssh.useAgent: true',
  });
export type SshConfig = z.infer<typeof SshConfig>;

/**
 * The load balancer workflows drain hosts from (`deps.blocks.loadBalancer`): HAProxy's runtime API, its
 * stats socket with `level admin`: a UNIX socket path, relative to this file.
 */
export const LoadBalancerConfig = z
  .object({
    haproxy: z.object({ socket: z.string().min(1, 'must name the stats socket') }).strict(),
  })
  .strict();
export type LoadBalancerConfig = z.infer<typeof LoadBalancerConfig>;

export const MarshalConfigSchema = z
  .object({
    /** Path of the inventory YAML, relative to this file. */
    inventory: z.string().min(1, 'must name the inventory file'),
    /** How Marshal reaches hosts. Needed by processes that run workflows (serve, worker, run). */
    ssh: SshConfig.optional(),
    /** The load balancer in front of the hosts, for workflows that drain and return them. */
    loadBalancer: LoadBalancerConfig.optional(),
    /** The directory of configuration bundles (`<name>/bundle.yaml`), relative to this file. */
    bundles: z.string().min(1).default('bundles'),
    /** Directories on hosts that bundles may write into; a bundle targeting anything else is refused. */
    configRoots: z
      .array(z.string().regex(/^\/[^\0]*[^/]$/, 'must be an absolute directory path without a trailing /'))
      .min(1)
      .default(['/etc/marshal-apps']),
    /**
     * Directories of workflow modules, relative to this file; Marshal loads every module in them at
     * start, next to its built-in workflows.
     */
    workflows: z.array(z.string().min(1, 'must name a directory')).default([]),
    /**
     * Workflow name → that workflow's own settings (e.g. `dr-drill: { scenarios: ./drills }`), handed to
     * it as `deps.settings` and checked by the workflow's schema when it is built.
     */
    workflowSettings: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]*$/, 'workflow names are lower-case words joined by -'),
        z.unknown(),
      )
      .default({}),
    access: z
      .object({
        /**
         * Workflow name → who may do what, overriding the workflow module's default access right by
         * right. A workflow with neither can be started and approved by no one.
         */
        workflows: z
          .record(
            z.string().regex(/^[a-z][a-z0-9-]*$/, 'workflow names are lower-case words joined by -'),
            WorkflowAccess,
          )
          .default({}),
      })
      .strict()
      .default({ workflows: {} }),
    /** The web console (src/console): served by `marshal serve` when present. */
    console: ConsoleConfig.optional(),
  })
  .strict();
export type MarshalConfig = z.infer<typeof MarshalConfigSchema> & {
  /** The directory of the config file: relative paths in it, and `dirs.config` of workflows. */
  readonly configDir: string;
};

/** Checks a parsed YAML document. Relative paths are made absolute against `baseDir`. */
export function parseMarshalConfig(document: unknown, source: string, baseDir: string): MarshalConfig {
  const parsed = MarshalConfigSchema.safeParse(document);
  if (!parsed.success) {
    throw new InvalidConfigError(
      source,
      parsed.error.issues.map((i) => ({
        where: formatPath(i.path) || '(top level)',
        problem: i.message,
        fix: 'See examples/marshal.yaml for the expected shape',
      })),
    );
  }
  const config = parsed.data;
  const fromHere = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));
  return deepFreeze({
    ...config,
    configDir: baseDir,
    inventory: fromHere(config.inventory),
    bundles: fromHere(config.bundles),
    loadBalancer: config.loadBalancer && {
      haproxy: { socket: fromHere(config.loadBalancer.haproxy.socket) },
    },
    workflows: config.workflows.map(fromHere),
    ssh: config.ssh && {
      ...config.ssh,
      knownHosts: fromHere(config.ssh.knownHosts),
      privateKey: config.ssh.privateKey === undefined ? undefined : fromHere(config.ssh.privateKey),
    },
  });
}

export async function loadMarshalConfig(path: string): Promise<MarshalConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidConfigError(
      `Marshal's config file ${path}`,
      [
        {
          where: 'MARSHAL_CONFIG',
          problem: 'the file cannot be read',
          fix: 'Point MARSHAL_CONFIG at a readable YAML file',
        },
      ],
      { cause: err },
    );
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    const problem = err instanceof Error ? err.message.split('\n')[0]! : 'it is not YAML';
    throw new InvalidConfigError(path, [{ where: '(file)', problem, fix: 'Fix the YAML syntax' }], {
      cause: err,
    });
  }
  return parseMarshalConfig(document, path, dirname(path));
}
