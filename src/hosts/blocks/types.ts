/**
 * The building blocks a workflow's host steps are made of, as types only: workflows import these (through
 * the authoring entry) and are handed an implementation (`createHostBlocks`) in their deps, so a workflow
 * module loads no ssh2, ioredis or socket code. Each block that changes a host has a `check` beside it that
 * tells, after a worker died mid-step, whether the change is in place (reconcile, never repeat).
 */
import type { Json } from '../../engine/model/workflow.js';
import type { ExecResult, ShellCommand } from '../executor.js';
import type { Host } from '../host.js';
import type { RemoteFileState } from '../file-commands.js';

export type { RemoteFileState } from '../file-commands.js';

/** What a block needs from the step that calls it: the run's abort signal and, for blocks that record
 * data before their side effect, the step's checkpoint (stored with the ledger's `started` entry). */
export interface BlockContext {
  readonly signal: AbortSignal;
  checkpoint?(data: Json): Promise<void>;
}

/** The outcome of a block's `check`, in the engine's words. */
export type CheckResult = 'applied' | 'not_applied';

// --- commands ---------------------------------------------------------------------------------------

export interface RunOptions {
  timeoutMs?: number;
  stdin?: string | Buffer;
  /** Exit codes that count as success (default [0]); others throw a HostStepError naming `what`. */
  okExitCodes?: readonly number[];
  /** Says what the command does, for the error: "restart nginx" → "could not restart nginx (exit 1)". */
  what?: string;
}

// --- files ------------------------------------------------------------------------------------------

export interface FileSpec {
  path: string;
  content: string | Buffer;
  /** e.g. 0o644; default 0o644. */
  mode?: number;
  owner?: string;
  group?: string;
}

export interface WrittenFile {
  path: string;
  sha256: string;
  /** False when the host already had exactly this content, mode and owner: nothing was written. */
  changed: boolean;
  /** The file's checksum before, or null when there was none. */
  previousSha256: string | null;
}

export interface ReadFile {
  path: string;
  content: Buffer;
  sha256: string;
}

export interface DiskUsage {
  path: string;
  /** How full its file system is, in percent. */
  usedPercent: number;
  availableKb: number;
  mountedOn: string;
}

// --- reboot -----------------------------------------------------------------------------------------

export interface RebootOptions {
  /** How long the host may take to go down and answer again with a new boot id. Default 10 minutes. */
  timeoutMs?: number;
  /**
   * The command that reboots the host; default `reboot` (systemd's, sysvinit's and the local fleet's).
   * It runs detached, so its own session ending is not a failure.
   */
  command?: ShellCommand;
  /**
   * The longest wait between two attempts to reach the host while it is down. Default 1000 ms. The waits
   * start at `firstPollMs` and grow by half each time up to this: a quick reboot is seen at once, a long
   * one is not hammered.
   */
  pollIntervalMs?: number;
  /** The first wait between two attempts to reach the host. Default 100 ms. */
  firstPollMs?: number;
}

/** Recorded (checkpoint) before the reboot command goes out; what `rebootCheck` compares with. */
export interface RebootCheckpoint {
  bootId: string;
}

export interface Rebooted {
  previousBootId: string;
  bootId: string;
}

// --- waiting for checks ------------------------------------------------------------------------------

/** One probe of a service, from Marshal's side of the network. */
export type HealthProbe =
  | { kind: 'tcp'; host: string; port: number }
  | {
      kind: 'http';
      url: string;
      /** Status codes that count as healthy; default any 2xx. */
      expectStatus?: readonly number[];
      /** The body must contain this text. */
      expectBody?: string;
    }
  | {
      kind: 'tls';
      host: string;
      port: number;
      /** SNI and the name the certificate must be valid for; default `host`. */
      servername?: string;
      /** PEM CA bundle to verify with; default the system's. */
      ca?: string;
      /** The certificate must stay valid at least this long. */
      minValidDays?: number;
    };

export interface Thresholds {
  /** Consecutive passing probes needed (like a load balancer's `rise`); default 1. */
  successes?: number;
  /** Give up after this long; default 60 s. */
  timeoutMs?: number;
  /** Between probes; default 1000 ms. */
  intervalMs?: number;
  /** One probe's own time limit; default 5000 ms. */
  probeTimeoutMs?: number;
}

export interface ProbeResult {
  ok: boolean;
  /** What was seen: `HTTP 200`, `connection refused`, `certificate expires in 3 days`. */
  detail: string;
}

export interface Healthy {
  probes: number;
  last: string;
}

// --- services ---------------------------------------------------------------------------------------

/**
 * How units are managed on a host. `systemd` (systemctl) on real hosts; `runit` (sv, with services under
 * `serviceDir`) where there is no systemd, as on the local fleet. Chosen per host by the workflow (e.g. from
 * an inventory var).
 */
export type ServiceManager = { kind: 'systemd' } | { kind: 'runit'; serviceDir: string };

export interface ServiceStatus {
  unit: string;
  active: boolean;
  /** The manager's own word: `active`, `failed`, `run`, `down`… */
  state: string;
  /** Main process id, when running. */
  pid: number | null;
  /** Changes on every (re)start: systemd's InvocationID, runit's pid. */
  instance: string | null;
}

/** Recorded before a restart: `restartCheck` reports applied once the unit runs as another instance. */
export interface RestartCheckpoint {
  unit: string;
  instance: string | null;
}

// --- load balancer ----------------------------------------------------------------------------------

/** A backend server in a load balancer: HAProxy's `<backend>/<server>`. */
export interface LbServer {
  backend: string;
  server: string;
}

export type LbAdminState = 'ready' | 'drain' | 'maint';

export interface LbServerState extends LbServer {
  admin: LbAdminState;
  /** HAProxy's operational state (its health checks): running, stopped, starting, stopping. */
  operational: 'stopped' | 'starting' | 'running' | 'stopping';
  address: string;
  port: number;
}

export interface DrainOptions {
  /** Wait until the server has no sessions left, at most this long; default 60 s. 0 = do not wait. */
  timeoutMs?: number;
}

/** What workflows use to take a backend out of a load balancer and put it back. */
export interface LoadBalancer {
  state(target: LbServer): Promise<LbServerState>;
  /** No new sessions go to the server; waits for its current ones to end (DrainOptions.timeoutMs). */
  drain(target: LbServer, ctx: BlockContext, options?: DrainOptions): Promise<void>;
  /** Takes new sessions again. */
  ready(target: LbServer, ctx: BlockContext): Promise<void>;
  /** Applied when the server is in `expected` (drain's check: 'drain'; ready's: 'ready'). */
  check(target: LbServer, expected: LbAdminState): Promise<CheckResult>;
  /** Current sessions on the server. */
  sessions(target: LbServer): Promise<number>;
}

// --- the set ----------------------------------------------------------------------------------------

/** The host building blocks, bound to a HostExecutor (and a load balancer, when the deployment has one). */
export interface HostBlocks {
  /** Runs a command built with `sh`; a non-zero exit (unless allowed) throws a HostStepError. */
  run(host: Host, command: ShellCommand, ctx: BlockContext, options?: RunOptions): Promise<ExecResult>;

  fileState(host: Host, path: string, ctx: BlockContext): Promise<RemoteFileState>;
  /** The file's content and sha256; a missing file throws. */
  readFile(host: Host, path: string, ctx: BlockContext): Promise<ReadFile>;
  /** Atomic: staged beside `path` with its mode and owner, renamed over it, checksum verified. */
  writeFile(host: Host, file: FileSpec, ctx: BlockContext): Promise<WrittenFile>;
  /** Applied when the host's file has exactly this content. */
  writeFileCheck(
    host: Host,
    file: Pick<FileSpec, 'path' | 'content'>,
    ctx: BlockContext,
  ): Promise<CheckResult>;
  /**
   * Copies a directory's regular files from one host to another over SFTP, each with its mode, every
   * checksum verified on both sides. Returns path → sha256 (relative paths).
   */
  copyDirectory(
    from: Host,
    to: Host,
    dir: { source: string; target: string; owner?: string; group?: string },
    ctx: BlockContext,
  ): Promise<Record<string, string>>;
  /** How full the file system holding `path` is. */
  diskUsage(host: Host, path: string, ctx: BlockContext): Promise<DiskUsage>;
  /** The checksums of a directory's regular files (relative path → sha256), for checks and verification. */
  directoryChecksums(host: Host, dir: string, ctx: BlockContext): Promise<Record<string, string>>;

  bootId(host: Host, ctx: BlockContext): Promise<string>;
  /**
   * Checkpoints the current boot id, reboots, and waits until the host answers with another boot id (an
   * answer on the previous boot never counts as back). Honours the run's abort signal.
   */
  reboot(host: Host, ctx: BlockContext, options?: RebootOptions): Promise<Rebooted>;
  /**
   * After a crash: waits (bounded) until the host answers, then applied when its boot id is not the one
   * checkpointed. A reboot asked for just before the crash is given `settleMs` to show.
   */
  rebootCheck(
    host: Host,
    checkpoint: Json | undefined,
    ctx: BlockContext,
    options?: { timeoutMs?: number; settleMs?: number },
  ): Promise<CheckResult>;

  /** Probes until `successes` consecutive passes, or throws a HostStepError (HealthCheckFailed). */
  waitFor(probe: HealthProbe, ctx: BlockContext, thresholds?: Thresholds): Promise<Healthy>;
  probe(probe: HealthProbe, timeoutMs?: number): Promise<ProbeResult>;

  serviceStatus(host: Host, unit: string, manager: ServiceManager, ctx: BlockContext): Promise<ServiceStatus>;
  /** Checkpoints the running instance, restarts, and waits until the unit runs as a new instance. */
  restartService(
    host: Host,
    unit: string,
    manager: ServiceManager,
    ctx: BlockContext,
    options?: { timeoutMs?: number },
  ): Promise<ServiceStatus>;
  restartCheck(
    host: Host,
    checkpoint: Json | undefined,
    manager: ServiceManager,
    ctx: BlockContext,
  ): Promise<CheckResult>;
  startService(host: Host, unit: string, manager: ServiceManager, ctx: BlockContext): Promise<ServiceStatus>;
  stopService(host: Host, unit: string, manager: ServiceManager, ctx: BlockContext): Promise<ServiceStatus>;

  /** Present when the deployment names a load balancer. */
  readonly loadBalancer?: LoadBalancer;
}
