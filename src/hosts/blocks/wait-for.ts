import { ErrorCode } from '../../errors/error-code.js';
import { HostStepError } from '../errors/host-step-error.js';
import { abortable } from './abortable-sleep.js';
import { describeProbe, probe } from './probes.js';
import type { BlockContext, HealthProbe, Healthy, Thresholds } from './types.js';

/**
 * Probes until `successes` consecutive passes (a failure starts the count again), like a load balancer's
 * `rise`. Throws a HealthCheckFailed HostStepError naming what was last seen when `timeoutMs` passes;
 * the run's abort signal ends the wait at once.
 */
export async function waitFor(
  target: string,
  spec: HealthProbe,
  ctx: BlockContext,
  thresholds: Thresholds = {},
): Promise<Healthy> {
  const successes = thresholds.successes ?? 1;
  const timeoutMs = thresholds.timeoutMs ?? 60_000;
  const intervalMs = thresholds.intervalMs ?? 1000;
  const deadline = Date.now() + timeoutMs;
  let streak = 0;
  let probes = 0;
  let last = 'not probed yet';
  for (;;) {
    ctx.signal.throwIfAborted();
    const result = await probe(
      spec,
      Math.max(100, Math.min(thresholds.probeTimeoutMs ?? 5000, deadline - Date.now())),
    );
    probes++;
    last = result.detail;
    streak = result.ok ? streak + 1 : 0;
    if (streak >= successes) return { probes, last };
    if (Date.now() + intervalMs > deadline)
      throw new HostStepError(
        ErrorCode.HealthCheckFailed,
        target,
        `${describeProbe(spec)} did not pass ${successes} time(s) in a row within ${Math.round(timeoutMs / 1000)} s (${probes} probes, last: ${last})`,
        { context: { probe: describeProbe(spec), probes, streak } },
      );
    await abortable(intervalMs, ctx.signal);
  }
}
