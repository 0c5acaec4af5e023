import { z } from 'zod';

/** `action_id`s of the approval card's buttons; the Bolt app registers its handlers on these. */
export const MARSHAL_APPROVE = 'marshal_approve';
export const MARSHAL_HOLD = 'marshal_hold';
export const MARSHAL_ABORT = 'marshal_abort';
export const MARSHAL_REJECT = 'marshal_reject';
/** Abort at a rollout's approval gate, keeping the canary as it is (Abort alone rolls it back). */
export const MARSHAL_ABORT_KEEP = 'marshal_abort_keep';
/**
 * The run thread's controls, on its parent message: hold and abort while it runs, resume when held,
 * retry the failed hosts once finished with failures.
 */
/**
 * The App Home's approval buttons: the same decision as the card's, bound to the Home view Marshal
 * published to the presser (not to a message) and to the plan shown.
 */
export const MARSHAL_HOME_APPROVE = 'marshal_home_approve';
export const MARSHAL_HOME_REJECT = 'marshal_home_reject';
export const MARSHAL_RUN_HOLD = 'marshal_run_hold';
export const MARSHAL_RUN_ABORT = 'marshal_run_abort';
export const MARSHAL_RESUME = 'marshal_resume';
export const MARSHAL_RETRY = 'marshal_retry';
/** Roll back the hosts a run changed, once it finished with failures (Engine.rollback). */
export const MARSHAL_ROLLBACK = 'marshal_rollback';
export const RUN_ACTIONS_BLOCK_ID = 'marshal_run_actions';

/** What a run control button carries: the run. The presser comes from the signed payload. */
export const RunActionValue = z.strictObject({ runId: z.string().min(1).max(200) });
export type RunActionValue = z.infer<typeof RunActionValue>;

export function encodeRunActionValue(value: RunActionValue): string {
  return JSON.stringify(RunActionValue.parse(value));
}

export function decodeRunActionValue(raw: string): RunActionValue | undefined {
  try {
    const parsed = RunActionValue.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
/**
 * A choice gate's option buttons: `marshal_choose:<option id>` (action ids are unique within a block).
 * The Bolt app registers one handler for all of them; the option travels in the button's value.
 */
export const MARSHAL_CHOOSE_PREFIX = 'marshal_choose:';
export const MARSHAL_CHOOSE = /^marshal_choose:/;
export const GATE_ACTIONS_BLOCK_ID = 'marshal_gate_actions';

/**
 * What a button's `value` carries: which gate of which run (gate buttons) or which run (the thread's
 * run controls, `gateId` then `-`), and nothing about who may press it. The
 * presser's identity comes from Slack's signed payload (`body.user.id`), never from the button.
 */
export const GateActionValue = z.strictObject({
  runId: z.string().min(1).max(200),
  gateId: z.string().min(1).max(200),
  /** A choice gate's option; the engine checks it is one of the gate's. */
  option: z.string().min(1).max(100).optional(),
  /** The plan hash the card showed: a decision on it approves that plan and no other. */
  plan: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type GateActionValue = z.infer<typeof GateActionValue>;

export function encodeGateActionValue(value: GateActionValue): string {
  return JSON.stringify(GateActionValue.parse(value));
}

/** Parses a button value from a Slack payload; undefined when it is not one of ours. */
export function decodeGateActionValue(raw: string): GateActionValue | undefined {
  try {
    const parsed = GateActionValue.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
