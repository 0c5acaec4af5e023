import { ErrorCode } from '../../errors/error-code.js';
import type { ExecResult, HostExecutor, ShellCommand } from '../executor.js';
import type { Host } from '../host.js';
import { HostStepError } from '../errors/host-step-error.js';
import type { BlockContext, RunOptions } from './types.js';

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_BYTES = 256 * 1024;

/** Runs a quoted command under the run's signal; an exit outside `okExitCodes` throws, naming the host. */
export async function runChecked(
  executor: HostExecutor,
  host: Host,
  command: ShellCommand,
  ctx: BlockContext,
  options: RunOptions = {},
): Promise<ExecResult> {
  const result = await executor.exec(host, command, {
    signal: ctx.signal,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
  const ok = options.okExitCodes ?? [0];
  if (result.exitCode === null || !ok.includes(result.exitCode)) {
    throw new HostStepError(
      ErrorCode.CommandFailed,
      host.name,
      `could not ${options.what ?? `run \`${truncate(command.text)}\``} (exit ${result.exitCode ?? result.signal})`,
      { result },
    );
  }
  return result;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
