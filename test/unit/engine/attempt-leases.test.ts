import { describe, expect, it } from 'vitest';
import { AttemptSuperseded } from '../../../src/engine/errors/attempt-superseded.js';
import { AttemptLeases } from '../../../src/engine/runtime/attempt-leases.js';

describe('AttemptLeases: a job acts only while its lock may still be its own', () => {
  it('aborts the signal with AttemptSuperseded once the lock went unrenewed for its duration', () => {
    const leases = new AttemptLeases(10_000);
    const t0 = Date.now();
    const signal = leases.begin('job-1', t0);
    leases.expire(t0 + 8_000);
    expect(signal.aborted).toBe(false);
    // A frozen process wakes long after: the lease ran out, so another worker may hold the job now.
    leases.expire(t0 + 40_000);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(AttemptSuperseded);
    leases.close();
  });

  it('a renewal moves the deadline on; a failed renewal aborts at once', () => {
    const leases = new AttemptLeases(10_000);
    const renewed = leases.begin('job-1', Date.now() - 8_000);
    const lost = leases.begin('job-2', Date.now());
    leases.renewed(['job-1']);
    leases.expire(Date.now() + 5_000);
    expect(renewed.aborted).toBe(false);
    leases.lose('job-2', 'BullMQ could not renew its lock');
    expect(lost.aborted).toBe(true);
    expect((lost.reason as Error).message).toContain('could not renew its lock');
    leases.close();
  });

  it('BullMQ cancelling the job aborts it too; an ended job is no longer watched', () => {
    const leases = new AttemptLeases(10_000);
    const bull = new AbortController();
    const signal = leases.begin('job-1', Date.now(), bull.signal);
    bull.abort();
    expect(signal.reason).toBeInstanceOf(AttemptSuperseded);
    const other = leases.begin('job-2', Date.now());
    leases.end('job-2');
    leases.expire(Date.now() + 60_000);
    expect(other.aborted).toBe(false);
    leases.close();
  });
});
