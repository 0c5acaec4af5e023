import { z } from 'zod';
import { ErrorCode } from '../../errors/error-code.js';
import type { Json } from '../../engine/model/workflow.js';
import type { ExecResult, HostExecutor, ShellCommand } from '../executor.js';
import type { Host } from '../host.js';
import { HostStepError } from '../errors/host-step-error.js';
import { sh } from '../quote.js';
import { abortable } from './abortable-sleep.js';
import { runChecked } from './command.js';
import type { BlockContext, CheckResult, RestartCheckpoint, ServiceManager, ServiceStatus } from './types.js';

/** A unit or service name: no path separators, nothing a shell or `sv` would read as an option. */
const UnitName = z
  .string()
  .regex(/^[A-Za-z0-9@_.:-]+$/, 'a unit name has letters, digits and @ _ . : - only')
  .refine((name) => !name.startsWith('-'), 'a unit name cannot start with -');

type Verb = 'restart' | 'start' | 'stop';

/** The commands one service manager understands, and how to read what its status prints. */
export interface ManagerCommands {
  status(unit: string): ShellCommand;
  act(verb: Verb, unit: string): ShellCommand;
  parse(unit: string, result: ExecResult): ServiceStatus | undefined;
}

const systemd: ManagerCommands = {
  status: (unit) => sh`systemctl show --property=ActiveState,SubState,MainPID,InvocationID -- ${unit}`,
  act: (verb, unit) => sh`systemctl ${verb} -- ${unit}`,
  parse(unit, result) {
    if (result.exitCode !== 0) return undefined;
    const props = Object.fromEntries(
      result.stdout
        .split('\n')
        .map((line) => line.split('=', 2))
        .filter((kv): kv is [string, string] => kv.length === 2),
    );
    if (props.ActiveState === undefined) return undefined;
    const pid = Number(props.MainPID);
    return {
      unit,
      active: props.ActiveState === 'active',
      state: props.SubState ? `${props.ActiveState} (${props.SubState})` : props.ActiveState,
      pid: Number.isInteger(pid) && pid > 0 ? pid : null,
      instance: props.InvocationID ? props.InvocationID : null,
    };
  },
};

function runit(serviceDir: string): ManagerCommands {
  const path = (unit: string): string => `${serviceDir}/${unit}`;
  return {
    status: (unit) => sh`sv status ${path(unit)}`,
    // -w: sv waits for the service to reach the state (up, down) and fails when it does not.
    act: (verb, unit) =>
      sh`sv -w 30 ${verb === 'start' ? 'up' : verb === 'stop' ? 'down' : 'restart'} ${path(unit)}`,
    parse(unit, result) {
      // `run: /srv/app: (pid 123) 5s; run: log: …` or `down: /srv/app: 3s, normally up`.
      const match = /^(run|down|finish|fail|warning): [^:]+: (?:\(pid (\d+)\))?/.exec(result.stdout.trim());
      if (!match?.[1] || match[1] === 'fail' || match[1] === 'warning') return undefined;
      const pid = match[2] ? Number(match[2]) : null;
      return {
        unit,
        active: match[1] === 'run',
        state: match[1],
        pid,
        instance: pid === null ? null : String(pid),
      };
    },
  };
}

/** The commands and status reader of one service manager (exported for their unit tests). */
export function commandsFor(manager: ServiceManager): ManagerCommands {
  return manager.kind === 'systemd' ? systemd : runit(manager.serviceDir);
}

function unitName(host: Host, unit: string): string {
  const parsed = UnitName.safeParse(unit);
  if (!parsed.success)
    throw new HostStepError(
      ErrorCode.InvalidInput,
      host.name,
      `unit ${JSON.stringify(unit)}: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

export async function serviceStatus(
  executor: HostExecutor,
  host: Host,
  unit: string,
  manager: ServiceManager,
  ctx: BlockContext,
): Promise<ServiceStatus> {
  const name = unitName(host, unit);
  const commands = commandsFor(manager);
  const result = await executor.exec(host, commands.status(name), { signal: ctx.signal, timeoutMs: 30_000 });
  const status = commands.parse(name, result);
  if (!status)
    throw new HostStepError(
      ErrorCode.UnexpectedHostOutput,
      host.name,
      `could not read the status of ${name} with ${manager.kind} (exit ${result.exitCode ?? result.signal})`,
      { result },
    );
  return status;
}

async function act(
  executor: HostExecutor,
  host: Host,
  verb: Verb,
  unit: string,
  manager: ServiceManager,
  ctx: BlockContext,
  timeoutMs: number,
): Promise<void> {
  await runChecked(executor, host, commandsFor(manager).act(verb, unitName(host, unit)), ctx, {
    what: `${verb} ${unit}`,
    timeoutMs,
  });
}

/** Polls the status until `done` holds; a HealthCheckFailed error says what the unit was last seen as. */
async function until(
  executor: HostExecutor,
  host: Host,
  unit: string,
  manager: ServiceManager,
  ctx: BlockContext,
  what: string,
  done: (status: ServiceStatus) => boolean,
  timeoutMs: number,
): Promise<ServiceStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await serviceStatus(executor, host, unit, manager, ctx);
    if (done(status)) return status;
    if (Date.now() >= deadline)
      throw new HostStepError(
        ErrorCode.HealthCheckFailed,
        host.name,
        `${unit} is ${status.state}, not ${what} within ${Math.round(timeoutMs / 1000)} s`,
      );
    await abortable(500, ctx.signal);
  }
}

/**
 * Checkpoints the running instance, restarts, and waits until the unit is active as another instance
 * (systemd's InvocationID, runit's pid): a unit that "restarted" into the old process is not done.
 */
export async function restartService(
  executor: HostExecutor,
  host: Host,
  unit: string,
  manager: ServiceManager,
  ctx: BlockContext,
  options: { timeoutMs?: number } = {},
): Promise<ServiceStatus> {
  const before = await serviceStatus(executor, host, unit, manager, ctx);
  const checkpoint: RestartCheckpoint = { unit, instance: before.instance };
  await ctx.checkpoint?.(checkpoint as unknown as Json);
  const timeoutMs = options.timeoutMs ?? 60_000;
  await act(executor, host, 'restart', unit, manager, ctx, timeoutMs);
  return until(
    executor,
    host,
    unit,
    manager,
    ctx,
    'active as a new instance',
    (s) => s.active && s.instance !== before.instance,
    timeoutMs,
  );
}

const Checkpoint = z.object({ unit: z.string(), instance: z.string().nullable() });

/** Applied when the unit is active as another instance than the one checkpointed before the restart. */
export async function restartCheck(
  executor: HostExecutor,
  host: Host,
  checkpoint: Json | undefined,
  manager: ServiceManager,
  ctx: BlockContext,
): Promise<CheckResult> {
  const parsed = Checkpoint.safeParse(checkpoint);
  if (!parsed.success) return 'not_applied';
  const now = await serviceStatus(executor, host, parsed.data.unit, manager, ctx);
  return now.active && now.instance !== parsed.data.instance ? 'applied' : 'not_applied';
}

export async function startService(
  executor: HostExecutor,
  host: Host,
  unit: string,
  manager: ServiceManager,
  ctx: BlockContext,
): Promise<ServiceStatus> {
  await act(executor, host, 'start', unit, manager, ctx, 60_000);
  return until(executor, host, unit, manager, ctx, 'active', (s) => s.active, 60_000);
}

export async function stopService(
  executor: HostExecutor,
  host: Host,
  unit: string,
  manager: ServiceManager,
  ctx: BlockContext,
): Promise<ServiceStatus> {
  await act(executor, host, 'stop', unit, manager, ctx, 60_000);
  return until(executor, host, unit, manager, ctx, 'stopped', (s) => !s.active, 60_000);
}
