import { ConsoleConfig } from '../console/console-config.js';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath } from '../errors/index.js';
import { InvalidConfigError } from './invalid-config-error.js';
import { deepFreeze } from './deep-freeze.js';
import { checkConfigFiles } from './config-files.js';
import { AuditSinkConfig } from '../audit/sinks/audit-sink-config.js';
import { CertificatesConfig } from './certificates-config.js';

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
    /**
     * Distinct approvers every approval gate of the workflow needs (e.g. 2 of the `approve` group for a
     * DR drill), never the requester; a gate asking for more keeps its own. Unset: the workflow's.
     */
    quorum: z.number().int().min(1).max(10, 'must be from 1 to 10 approvers').optional(),
    /**
     * Whether `marshal run --auto-approve` may approve its gates unattended (recorded as such in the run
     * and its audit). Unset or false: refused, and every approval needs another person.
     */
    unattended: z.boolean().optional(),
  })
  .strict();
export type WorkflowAccess = z.infer<typeof WorkflowAccess>;

/**
 * Per-target access: `who` may start runs only on hosts the `selector` picks (e.g. team-web only
 * `role=web`), for the listed workflows (default all). A person matched by several rules may reach the
 * hosts of any of them; a person matched by none is not limited by targets.
 */
export const TargetRule = z
  .object({
    who: z.array(Principal).min(1, 'name at least one user or group'),
    selector: z.string().min(1, 'must be an inventory selector such as role=web'),
    workflows: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type TargetRule = z.infer<typeof TargetRule>;

/** Who may use the fleet-wide controls; unset: anyone who may approve some workflow. */
export const OpsAccess = z
  .object({
    stopAll: z.array(Principal).optional(),
    freeze: z.array(Principal).optional(),
    /** May start runs during a freeze; every such start is called out in the channel and audited. */
    breakGlass: z.array(Principal).default([]),
  })
  .strict();
export type OpsAccess = z.infer<typeof OpsAccess>;

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM (00:00 to 24:00)');
/**
 * A declared change freeze: on these weekdays and/or dates, between `from` and `to` (default the whole
 * day), in `timeZone` (IANA name, default UTC).
 */
export const FreezeWindow = z
  .object({
    name: z.string().min(1),
    days: z.array(z.enum(WEEKDAYS)).optional(),
    dates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')).optional(),
    from: ClockTime.default('00:00'),
    to: ClockTime.default('24:00'),
    timeZone: z
      .string()
      .refine((tz) => isTimeZone(tz), 'must be an IANA time zone such as Europe/Berlin or UTC')
      .default('UTC'),
    reason: z.string().optional(),
  })
  .strict()
  .refine((w) => (w.days?.length ?? 0) + (w.dates?.length ?? 0) > 0, {
    message: 'give days (mon…sun) or dates (YYYY-MM-DD)',
  })
  .refine((w) => w.from < w.to, { message: 'from must be before to' });
export type FreezeWindow = z.infer<typeof FreezeWindow>;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * A run on a schedule: a cron pattern (5 fields, or 6 with seconds) in a time zone, the workflow and its
 * words as typed after `/marshal run <workflow>`, the channel its thread goes to, and who it runs as
 * (the requester: they cannot approve it).
 */
export const ScheduleConfig = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
    cron: z.string().min(1),
    timeZone: z
      .string()
      .refine((tz) => isTimeZone(tz), 'must be an IANA time zone such as Europe/Berlin or UTC')
      .default('UTC'),
    workflow: z.string().min(1),
    args: z.string().default(''),
    channel: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id (C…)'),
    requester: Principal,
  })
  .strict();
export type ScheduleConfig = z.infer<typeof ScheduleConfig>;

/** A Slack user id (not a group): who a terminal acts as. */
const UserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id (U… or W…), e.g. U012AB3CD');

/**
 * Who a terminal acts as, so `marshal run|approve|hold|…` obey the same access lists as Slack: an OS
 * user mapped to a Slack user id, or `--as <user id>` proven by the token in MARSHAL_CLI_TOKEN whose
 * sha256 is listed here (the token itself is never in the file).
 */
export const CliAccess = z
  .object({
    users: z
      .record(z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'must be an OS user name'), UserId)
      .default({}),
    tokens: z
      .record(UserId, z.string().regex(/^[0-9a-f]{64}$/, 'must be the sha256 (64 hex digits) of the token'))
      .default({}),
  })
  .strict();
export type CliAccess = z.infer<typeof CliAccess>;

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
    /** Certificate renewal (`/cert`): definitions, trust store, ACME, radar, email (docs/certificates.md). */
    certificates: CertificatesConfig.optional(),
    /**
     * How long a finished run's state, events, per-host ledger and outputs are kept in Redis. The audit
     * record is kept regardless; `marshal status` of an expired run says it expired.
     */
    retention: z
      .object({
        days: z
          .number({ error: 'must be a number of days' })
          .min(0.001, 'must be more than 0')
          .max(3650, 'must be at most 3650 (ten years)')
          .default(30),
      })
      .strict()
      .default({ days: 30 }),
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
        /** Limits on which hosts a group may start runs on. */
        targets: z.array(TargetRule).default([]),
        ops: OpsAccess.default({ breakGlass: [] }),
        /** Terminal identities (CliAccess); none: the CLI may start, approve and control nothing. */
        cli: CliAccess.default({ users: {}, tokens: {} }),
      })
      .strict()
      .default({ workflows: {}, targets: [], ops: { breakGlass: [] }, cli: { users: {}, tokens: {} } }),
    /** Declared change freezes (weekends, release days): new runs are refused, except break-glass. */
    freeze: z
      .object({ windows: z.array(FreezeWindow).default([]) })
      .strict()
      .default({ windows: [] }),
    /**
     * Second places for every audit record besides Redis (append-only file, HTTP), so the audit outlives
     * Redis; each gets the chained record (seq, prevHash, hash).
     */
    audit: z
      .object({ sinks: z.array(AuditSinkConfig).default([]) })
      .strict()
      .default({ sinks: [] }),
    /** Runs on a schedule (BullMQ job schedulers: each fire runs once, across all processes). */
    schedules: z.array(ScheduleConfig).default([]),
    /** The web console (src/console): served by `marshal serve` when present. */
    console: ConsoleConfig.optional(),
  })
  .strict();
export type MarshalConfig = z.infer<typeof MarshalConfigSchema> & {
  /** The directory of the config file: relative paths in it, and `dirs.config` of workflows. */
  readonly configDir: string;
};

/**
 * Checks a parsed YAML document. Relative paths are made absolute against `baseDir`, `~/…` against the
 * home directory. Pure: whether the files exist is checkConfigFiles's (loadMarshalConfig runs both).
 */
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
  const fromHere = (path: string): string =>
    path === '~' || path.startsWith('~/')
      ? join(homedir(), path.slice(1))
      : isAbsolute(path)
        ? path
        : resolve(baseDir, path);
  return deepFreeze({
    ...config,
    configDir: baseDir,
    inventory: fromHere(config.inventory),
    bundles: fromHere(config.bundles),
    loadBalancer: config.loadBalancer && {
      haproxy: { socket: fromHere(config.loadBalancer.haproxy.socket) },
    },
    workflows: config.workflows.map(fromHere),
    certificates: config.certificates && {
      ...config.certificates,
      directory: fromHere(config.certificates.directory),
      trustStore: config.certificates.trustStore.map(fromHere),
      acme: config.certificates.acme && {
        ...config.certificates.acme,
        accountKey: config.certificates.acme.accountKey && fromHere(config.certificates.acme.accountKey),
        directoryCa: config.certificates.acme.directoryCa && fromHere(config.certificates.acme.directoryCa),
      },
    },
    ssh: config.ssh && {
      ...config.ssh,
      knownHosts: fromHere(config.ssh.knownHosts),
      privateKey: config.ssh.privateKey === undefined ? undefined : fromHere(config.ssh.privateKey),
    },
  });
}

/**
 * Reads, checks and freezes Marshal's config file; every file and directory it names must be there
 * (InvalidConfigError naming each field that is not).
 */
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
  const config = parseMarshalConfig(document, path, dirname(resolve(path)));
  const problems = await checkConfigFiles(config);
  if (problems.length > 0) throw new InvalidConfigError(path, problems);
  return config;
}
