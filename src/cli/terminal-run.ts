import { isMarshalError } from '../errors/index.js';
import type { Engine, RunEvent, RunSnapshot } from '../engine/index.js';
import { FINAL_RUN_STATES } from '../engine/index.js';
import type { TerminalRunRequest } from './run-arguments.js';
import { formatEventLine } from './terminal-progress.js';

export interface TerminalRunOptions {
  engine: Engine;
  request: TerminalRunRequest;
  /** `cli:<os user>`: the requester, who may not approve the run. */
  requester: string;
  /** Approve every gate as `cli:auto-approve`, recorded as such in the run and its audit. */
  autoApprove: boolean;
  /** Asks the operator a question; undefined where there is no terminal to ask (gates then fail closed). */
  ask: ((question: string) => Promise<string>) | undefined;
  print: (line: string) => void;
}

/**
 * `marshal run`: starts a run, prints its progress as it happens and answers its approval gates at
 * the prompt. Resolves with the finished run.
 */
export async function runInTerminal(options: TerminalRunOptions): Promise<RunSnapshot> {
  const { engine, print } = options;
  let runId: string | undefined;
  const early: RunEvent[] = [];
  let finish: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const onEvent = async (event: RunEvent): Promise<void> => {
    if (runId === undefined) {
      early.push(event);
      return;
    }
    if (event.runId !== runId) return;
    const line = formatEventLine(event);
    if (line) print(line);
    if (event.type === 'gate.waiting') {
      if (event.kind === 'choice') await answerChoice(options, runId, event);
      else await answerGate(options, runId, event.gateId);
    }
    if (event.type === 'run.finished') finish?.();
  };
  // Subscribed before the run starts, so not one of its events is missed.
  const subscription = await engine.events.subscribe(onEvent);
  // A safety net for a lost event stream connection: the run's state in Redis is the truth.
  const poll = setInterval(() => {
    if (!runId) return;
    engine
      .get(runId)
      .then((snap) => FINAL_RUN_STATES.has(snap.state) && finish?.())
      .catch(() => undefined);
  }, 5_000);
  try {
    runId = await engine.start({
      workflow: options.request.workflow,
      params: options.request.params,
      requester: options.requester,
      dryRun: options.request.dryRun,
      meta: { source: 'cli' },
    });
    for (const event of early.splice(0)) await onEvent(event);
    await finished;
    return await engine.get(runId);
  } finally {
    clearInterval(poll);
    await subscription.close();
  }
}

type GateWaiting = Extract<RunEvent, { type: 'gate.waiting' }>;

/**
 * A choice gate at the prompt: which option (its number or id), then who decides (not the requester).
 * `--auto-approve` takes the gate's default option; a choice without one needs a person, so the run
 * is aborted, as a gate nobody can answer fails closed.
 */
async function answerChoice(options: TerminalRunOptions, runId: string, gate: GateWaiting): Promise<void> {
  const { engine, print } = options;
  const choices = gate.options ?? [];
  if (options.autoApprove || !options.ask) {
    if (gate.defaultOption) {
      await engine.decide({
        runId,
        gateId: gate.gateId,
        decision: 'approve',
        option: gate.defaultOption,
        by: 'cli:auto-approve',
        reason: `${options.autoApprove ? '--auto-approve' : 'no terminal'}: the default option`,
      });
      return;
    }
    print(`    ${gate.gateId} has no default option and nobody here can choose: aborting`);
    await engine.abort(runId, options.requester, { rollback: true });
    return;
  }
  const menu = choices.map((o, i) => `${i + 1}) ${o.label} [${o.id}]`).join('  ');
  for (;;) {
    const answer = (
      await options.ask(
        `  ${gate.prompt ?? gate.gateId}  ${menu}
  Choose (number or id), or "no" to abort and roll back: `,
      )
    ).trim();
    if (answer === '' || /^no?$/i.test(answer)) {
      await engine.abort(runId, options.requester, { rollback: true });
      return;
    }
    const picked = choices.find((o, i) => o.id === answer || String(i + 1) === answer);
    if (!picked) {
      print(`    "${answer}" is not one of: ${choices.map((o, i) => `${i + 1} or ${o.id}`).join(', ')}`);
      continue;
    }
    const by = (
      await options.ask(`  Who decides "${picked.label}"? Type their name (not ${options.requester}): `)
    ).trim();
    try {
      const result = await engine.decide({
        runId,
        gateId: gate.gateId,
        decision: 'approve',
        option: picked.id,
        by: `cli:${by}`,
      });
      if (!result.applied && result.why !== 'awaiting_quorum')
        print(
          `    already decided: ${result.option ?? result.decision ?? result.why}${result.by ? ` by ${result.by}` : ''}`,
        );
      return;
    } catch (err) {
      if (!isMarshalError(err)) throw err;
      print(`    ${err.message}`);
    }
  }
}

async function answerGate(options: TerminalRunOptions, runId: string, gateId: string): Promise<void> {
  const { engine, print } = options;
  if (options.autoApprove) {
    await engine.decide({
      runId,
      gateId,
      decision: 'approve',
      by: 'cli:auto-approve',
      reason: '--auto-approve',
    });
    return;
  }
  if (!options.ask) {
    print(`    no terminal to ask for approval: aborting (use --auto-approve to approve unattended)`);
    await engine.abort(runId, options.requester, { rollback: true });
    return;
  }
  for (;;) {
    const answer = (
      await options.ask(
        `  Approve ${gateId}? Type the approver's name (not ${options.requester}), or "no" to abort and roll back: `,
      )
    ).trim();
    if (answer === '' || /^no?$/i.test(answer)) {
      await engine.abort(runId, options.requester, { rollback: true });
      return;
    }
    try {
      const result = await engine.decide({ runId, gateId, decision: 'approve', by: `cli:${answer}` });
      if (!result.applied && result.why === 'awaiting_quorum') {
        // The gate needs more distinct approvers: ask for the next one.
        print(
          `    ${result.repeated ? 'already approved by them' : 'approval recorded'}: ${result.approvals} of ${result.quorum}`,
        );
        continue;
      }
      if (!result.applied)
        print(`    already decided: ${result.decision ?? result.why}${result.by ? ` by ${result.by}` : ''}`);
      return;
    } catch (err) {
      if (!isMarshalError(err)) throw err;
      print(`    ${err.message}`);
    }
  }
}
