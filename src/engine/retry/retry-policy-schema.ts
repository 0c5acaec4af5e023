import { z } from 'zod';
import type { RetryPolicy } from '../model/workflow.js';

/** The policy a task gets when it names none: one attempt, no retries. */
export const NO_RETRY: Readonly<RetryPolicy> = Object.freeze({
  retries: 0,
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
});

export const RetryPolicySchema = z
  .object({
    retries: z
      .number()
      .int('retries must be a whole number')
      .min(0, 'retries must be 0 or more (attempts after the first)'),
    initialDelayMs: z
      .number()
      .int('initialDelayMs must be whole milliseconds')
      .min(0, 'initialDelayMs must be 0 or more'),
    maxDelayMs: z
      .number()
      .int('maxDelayMs must be whole milliseconds')
      .min(0, 'maxDelayMs must be 0 or more'),
  })
  .refine((p) => p.maxDelayMs >= p.initialDelayMs, {
    message: 'maxDelayMs must be at least initialDelayMs',
    path: ['maxDelayMs'],
  }) satisfies z.ZodType<RetryPolicy>;

/** A task's time limit: a positive, finite number of milliseconds. */
export const TimeoutMsSchema = z
  .number()
  .int('timeoutMs must be whole milliseconds')
  .positive('timeoutMs must be more than 0 (milliseconds)');
