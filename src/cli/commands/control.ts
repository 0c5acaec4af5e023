import { userInfo } from 'node:os';
import { pino } from 'pino';
import { createMarshal, type Marshal } from '../../app/create-marshal.js';
import { loadWorkflowCatalog } from '../../app/workflow-catalog.js';
import { loadMarshalConfig } from '../../config/marshal-config.js';
import { loadCoreSettings } from '../../config/settings.js';
import { FINAL_RUN_STATES } from '../../engine/index.js';
import { shortPlanHash } from '../../engine/runtime/plan-hash.js';
import { ErrorCode, ValidationError } from '../../errors/index.js';
import { createLogger } from '../../log/index.js';
import type { AccessControl } from '../../slack/auth/access-control.js';
import { cliAccessControl } from '../cli-access.js';
import { resolveCliIdentity } from '../cli-identity.js';
import { TerminalNotifier } from '../terminal-notifier.js';
import { opsControlFor } from '../../app/ops-control-for.js';
import { admitRun, recordBreakGlass } from '../../control/admit-run.js';
import { describeFreeze } from '../../control/change-freeze.js';
import type { OpsControl } from '../../control/ops-control.js';

export type ControlAction = 'hold' | 'resume' | 'abort' | 'retry' | 'approve' | 'rollback';

export interface ControlOptions {
  as?: string;
  /** approve: the gate (default: the one waiting), a choice gate's option, the plan hash seen, reject. */
  gate?: string;
  option?: string;
  plan?: string;
  reject?: boolean;
  /** abort: keep the canary (at an approval gate) or roll back the changed hosts. */
  keep?: boolean;
  rollback?: boolean;
}

/**
 * `marshal hold|resume|abort|retry|approve|rollback <run>`: the thread's buttons from a terminal, as the terminal's
 * identity (access.cli), through the same access lists and the engine's own checks (four-eyes, plan
 * hash, quorum). Prints what happened; throws (exit 2) what was refused.
 */
export async function controlCommand(
  action: ControlAction,
  runId: string,
  options: ControlOptions,
  print: (line: string) => void,
): Promise<void> {
  const settings = loadCoreSettings();
  const config = await loadMarshalConfig(settings.configPath);
  // Who acts is settled before anything connects.
  const me = resolveCliIdentity(config.access.cli, {
    as: options.as,
    token: process.env.MARSHAL_CLI_TOKEN,
    osUser: userInfo().username,
  });
  const catalog = await loadWorkflowCatalog(config);
  const access = cliAccessControl(config, catalog);
  const marshal = await createMarshal({
    config,
    catalog,
    redisUrl: settings.redisUrl,
    prefix: settings.prefix,
    allowEphemeralRedis: settings.allowEphemeralRedis ?? false,
    logger: createLogger({ level: 'error', destination: pino.destination(2) }),
    notifier: new TerminalNotifier(),
  });
  try {
    await act(marshal, opsControlFor(marshal, config), access, me, action, runId, options, print);
  } finally {
    await marshal.close();
  }
}

async function act(
  marshal: Marshal,
  control: OpsControl,
  access: AccessControl,
  me: string,
  action: ControlAction,
  runId: string,
  options: ControlOptions,
  print: (line: string) => void,
): Promise<void> {
  const { engine } = marshal;
  const run = await engine.get(runId);
  if (action === 'retry') {
    await access.require('start', run.workflow, me);
    // A retry is a new run: admitted as any other (per-target access, the change freeze).
    const admission = await admitRun(
      control,
      { user: me, among: (p, u) => access.among(p, u) },
      { workflow: run.workflow, params: (run.params ?? {}) as Record<string, unknown>, dryRun: run.dryRun },
    );
    const id = await engine.retryFailed(runId, me);
    print(`started run ${id}: ${run.workflow} again on the failed targets of ${runId}, as ${me}`);
    if (admission.breakGlass) {
      print(`🚨 BREAK-GLASS: ${me} started run ${id} during the ${describeFreeze(admission.breakGlass)}`);
      await recordBreakGlass(control, {
        runId: id,
        user: me,
        workflow: run.workflow,
        freeze: admission.breakGlass,
        command: `marshal retry ${runId}`,
      });
    }
    return;
  }
  // Hold, resume, abort and roll back: the requester or an approver (as /ops); approving: an approver only.
  if (action === 'approve' || run.requester !== me) await access.require('approve', run.workflow, me);
  switch (action) {
    case 'rollback': {
      const done = await engine.rollback(runId, me);
      if (done.applied)
        print(`run ${runId} is rolling back (as ${me}): ${done.hosts.join(', ')} go back to what they had`);
      else if (done.why === 'already')
        print(
          `run ${runId} was already rolled back at the request of ${done.by ?? 'unknown'} (${done.at ?? ''}); nothing more was done`,
        );
      else print(`run ${runId} left no host to restore: every host it changed was restored already`);
      return;
    }
    case 'hold':
      await engine.hold(runId, me);
      print(
        `run ${runId} will hold after its current batch (as ${me}); \`marshal resume ${runId}\` continues it`,
      );
      return;
    case 'resume':
      await engine.resume(runId, me);
      print(`run ${runId} resumes with its next batch (as ${me})`);
      return;
    case 'abort': {
      const done = await engine.abort(
        runId,
        me,
        options.keep ? { rollback: false } : options.rollback ? { rollback: true } : {},
      );
      print(
        `run ${runId} is aborting (as ${me}): ${
          done.atGate
            ? done.rollback
              ? 'at the approval gate, the canary is rolled back (--keep keeps it)'
              : 'at the approval gate, the canary is kept as it is'
            : done.rollback
              ? 'the changed targets are rolled back'
              : 'no new targets start'
        }`,
      );
      return;
    }
    case 'approve': {
      if (FINAL_RUN_STATES.has(run.state)) throw invalid('run', `run ${runId} has finished (${run.state})`);
      const gate = options.gate
        ? run.gates.find((g) => g.gateId === options.gate)
        : run.gates.find((g) => g.state === 'waiting');
      if (!gate || gate.state !== 'waiting')
        throw invalid(
          '--gate',
          options.gate
            ? `gate ${options.gate} of run ${runId} is not waiting for a decision`
            : `run ${runId} has no gate waiting for a decision`,
        );
      // The plan the operator saw (`marshal status`), or, unstated, the one waiting now, printed.
      const plan = options.plan ? matchPlan(options.plan, gate.planHash) : gate.planHash;
      const result = await engine.decide({
        runId,
        gateId: gate.gateId,
        decision: options.reject ? 'reject' : 'approve',
        by: me,
        ...(options.option ? { option: options.option } : {}),
        ...(plan && !options.reject ? { planHash: plan } : {}),
        reason: 'from the CLI',
      });
      const planText = plan ? ` (plan ${shortPlanHash(plan)})` : '';
      if (result.applied) {
        print(
          `${gate.gateId} of run ${runId} ${options.reject ? 'rejected' : 'approved'} by ${me}${planText}`,
        );
        return;
      }
      if (result.why === 'awaiting_quorum') {
        print(
          `approval recorded for ${gate.gateId}${planText}: ${result.approvals} of ${result.quorum} (${(result.approvers ?? []).join(', ')})${result.repeated ? '; you had approved already' : ''}`,
        );
        return;
      }
      if (result.why === 'stale_plan')
        throw invalid(
          '--plan',
          `the plan of ${gate.gateId} changed; it is now ${shortPlanHash(result.planHash ?? '')}: look again with \`marshal status ${runId}\``,
        );
      throw invalid(
        'run',
        `${gate.gateId} was not decided: ${result.why}${result.by ? ` (by ${result.by})` : ''}`,
      );
    }
  }
}

/** `--plan` may be the short form shown on cards and by `marshal status`; it must name the waiting plan. */
function matchPlan(given: string, current: string | undefined): string {
  if (!/^[0-9a-f]{8,64}$/.test(given))
    throw invalid('--plan', `${given} is not a plan hash (8 to 64 hex digits, as \`marshal status\` shows)`);
  if (!current || !current.startsWith(given))
    throw invalid(
      '--plan',
      `${given} is not the plan waiting for approval${current ? ` (now ${shortPlanHash(current)})` : ''}: nothing was approved`,
    );
  return current;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError('control', [{ path, message }], { code: ErrorCode.InvalidInput });
}
