import { z } from 'zod';
import { ErrorCode } from '../../errors/error-code.js';
import { isMarshalError } from '../../errors/marshal-error.js';
import type { Json } from '../../engine/model/workflow.js';
import type { HostExecutor, ShellCommand } from '../executor.js';
import type { Host } from '../host.js';
import { HostStepError } from '../errors/host-step-error.js';
import { HostUnreachable } from '../errors/host-unreachable.js';
import { sh } from '../quote.js';
import { abortable } from './abortable-sleep.js';
import { runChecked } from './command.js';
import type { BlockContext, CheckResult, Rebooted, RebootCheckpoint, RebootOptions } from './types.js';
import { BOOT_ID_COMMAND, waitUntilReachable } from './wait-until-reachable.js';

const BootId = z.string().regex(/^[0-9a-f-]{36}$/, 'a boot id is a UUID');
const Checkpoint = z.object({ bootId: BootId });

export async function readBootId(executor: HostExecutor, host: Host, ctx: BlockContext): Promise<string> {
  const r = await runChecked(executor, host, BOOT_ID_COMMAND, ctx, {
    what: 'read the boot id',
    timeoutMs: 30_000,
  });
  const parsed = BootId.safeParse(r.stdout.trim());
  if (!parsed.success)
    throw new HostStepError(
      ErrorCode.UnexpectedHostOutput,
      host.name,
      `/proc/sys/kernel/random/boot_id held ${JSON.stringify(r.stdout.trim().slice(0, 60))}, not a boot id`,
    );
  return parsed.data;
}

/** `command` in the background, cut from the session: the session that asks returns at once. */
export function detached(command: ShellCommand): ShellCommand {
  return sh`nohup sh -c ${command.text} </dev/null >/dev/null 2>&1 &`;
}

/**
 * Reboot and wait for the host to be back on a new boot. The boot id is checkpointed before the reboot
 * command goes out, so `rebootCheck` after a crash compares with it instead of rebooting again. The
 * command runs detached (nohup, in the background), so the session that asked returns at once; a session
 * cut by the going-down is expected, not a failure. No fixed sleep: the wait below starts polling at
 * once, and an answer on the old boot never counts.
 */
export async function rebootAndWait(
  executor: HostExecutor,
  host: Host,
  ctx: BlockContext,
  options: RebootOptions = {},
): Promise<Rebooted> {
  const previousBootId = await readBootId(executor, host, ctx);
  const checkpoint: RebootCheckpoint = { bootId: previousBootId };
  await ctx.checkpoint?.(checkpoint as unknown as Json);
  const command = options.command ?? sh`reboot`;
  try {
    const asked = await executor.exec(host, detached(command), {
      signal: ctx.signal,
      timeoutMs: 30_000,
    });
    // A session killed by a signal is the host going down under it, as asked; an exit status is the
    // shell's own failure to start the command (the command's own status is never seen: detached).
    if (asked.exitCode !== null && asked.exitCode !== 0)
      throw new HostStepError(
        ErrorCode.CommandFailed,
        host.name,
        `could not ask for a reboot (exit ${asked.exitCode}): ${asked.stderr.trim().slice(0, 200)}`,
        { result: asked },
      );
  } catch (err) {
    // The host may go down before the session reports its exit: the wait below tells what happened.
    if (!(err instanceof HostUnreachable)) throw err;
  }
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  try {
    const bootId = await waitUntilReachable(executor, host, {
      timeoutMs,
      previousBootId,
      intervalMs: options.pollIntervalMs ?? 1000,
      firstIntervalMs: options.firstPollMs ?? 100,
      signal: ctx.signal,
    });
    return { previousBootId, bootId };
  } catch (err) {
    if (ctx.signal.aborted || !(err instanceof HostUnreachable)) throw err;
    throw new HostStepError(
      ErrorCode.HostUnreachable,
      host.name,
      `did not come back on a new boot within ${Math.round(timeoutMs / 1000)} s of the reboot (previous boot ${previousBootId}): ${err.message}`,
      { cause: err, retryable: false, context: { previousBootId } },
    );
  }
}

/**
 * Reconciles a reboot after a crash. No checkpoint: the reboot command never went out. Otherwise the host
 * must answer (within `timeoutMs`); a boot id other than the checkpointed one means it rebooted. The same
 * boot id may be a reboot asked for just before the crash that has not yet happened: it is given
 * `settleMs` to show before the check says not applied.
 */
export async function rebootCheck(
  executor: HostExecutor,
  host: Host,
  checkpoint: Json | undefined,
  ctx: BlockContext,
  options: { timeoutMs?: number; settleMs?: number } = {},
): Promise<CheckResult> {
  const parsed = Checkpoint.safeParse(checkpoint);
  if (!parsed.success) return 'not_applied';
  const before = parsed.data.bootId;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const settleMs = options.settleMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let sameSince: number | undefined;
  for (;;) {
    ctx.signal.throwIfAborted();
    try {
      const now = await readBootId(executor, host, ctx);
      if (now !== before) return 'applied';
      sameSince ??= Date.now();
      if (Date.now() - sameSince >= settleMs) return 'not_applied';
    } catch (err) {
      ctx.signal.throwIfAborted();
      if (isMarshalError(err) && !err.retryable && !(err instanceof HostStepError)) throw err;
      // Down (rebooting) or not yet answering: the settle window restarts once it answers again.
      sameSince = undefined;
    }
    if (Date.now() >= deadline)
      throw new HostStepError(
        ErrorCode.HostUnreachable,
        host.name,
        `cannot tell whether the reboot happened: no answer within ${Math.round(timeoutMs / 1000)} s`,
        { context: { previousBootId: before } },
      );
    await abortable(1000, ctx.signal);
  }
}
