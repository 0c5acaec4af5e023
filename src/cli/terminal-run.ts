import { ErrorCode, isMarshalError } from '../errors/index.js';
import type { Engine, LostRunFacts, RunEvent, RunSnapshot } from '../engine/index.js';
import { FINAL_RUN_STATES, RunLost } from '../engine/index.js';
import type { TerminalRunRequest } from './run-arguments.js';
import { formatEventLine } from './terminal-progress.js';

export interface TerminalRunOptions {
  engine: Engine;
  request: TerminalRunRequest;
  /** The terminal's identity (access.cli): the requester, who may not approve the run. */
  requester: string;
  /**
   * Approve every gate as `cli:auto-approve`, recorded as such in the run and its audit (with who ran
   * it). The caller has checked that the access config allows unattended runs of the workflow.
   */
  autoApprove: boolean;
  print: (line: string) => void;
  /** Told the run's id as soon as it exists (a break-glass start is called out then). */
  onStarted?: (runId: string) => Promise<void>;
}

/** Polls that find the run gone (with no loss reported yet) before the run is taken for lost. */
const GONE_POLLS = 3;

/**
 * `marshal run`: starts a run, prints its progress as it happens and answers its approval gates at
 * the prompt. Resolves with the finished run; throws RunLost (after printing it loudly) when the run's
 * state vanished from Redis, naming every host this terminal or a surviving record saw it touch.
 */
export async function runInTerminal(options: TerminalRunOptions): Promise<RunSnapshot> {
  const { engine, print } = options;
  let runId: string | undefined;
  const early: RunEvent[] = [];
  let finish: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // This terminal's own record of the hosts the run touched: it survives a Redis that loses its data.
  const touched = new Set<string>();
  let lost: LostRunFacts | undefined;
  let gonePolls = 0;
  const markLost = (facts: LostRunFacts): void => {
    lost = { ...facts, hosts: [...new Set([...(lost?.hosts ?? []), ...facts.hosts])] };
    finish?.();
  };

  const onEvent = async (event: RunEvent): Promise<void> => {
    if (runId === undefined) {
      early.push(event);
      return;
    }
    if (event.runId !== runId) return;
    if (event.type === 'target.finished') touched.add(event.result.target);
    const line = formatEventLine(event);
    if (line) print(line);
    if (event.type === 'run.lost') markLost(event);
    if (event.type === 'gate.waiting') {
      if (event.kind === 'choice') await answerChoice(options, runId, event);
      else await answerGate(options, runId, event);
    }
    if (event.type === 'run.finished') finish?.();
  };
  // Subscribed before the run starts, so not one of its events is missed.
  const subscription = await engine.events.subscribe(onEvent);
  // A safety net for a lost event stream connection: the run's state in Redis is the truth.
  const poll = setInterval(() => {
    if (!runId) return;
    const id = runId;
    engine
      .get(id)
      .then((snap) => {
        gonePolls = 0;
        if (FINAL_RUN_STATES.has(snap.state)) finish?.();
      })
      .catch((err: unknown) => {
        if (err instanceof RunLost) markLost(err.facts);
        // Gone without a word: the engine's watch reports a loss within seconds; if none comes (a
        // flush rather than a restart), the run is lost all the same and must not be waited on.
        else if (isMarshalError(err) && err.code === ErrorCode.UnknownRun && ++gonePolls >= GONE_POLLS)
          markLost({ runId: id, hosts: [], why: 'the run vanished from Redis' });
      });
  }, 5_000);
  try {
    runId = await engine.start({
      workflow: options.request.workflow,
      params: options.request.params,
      requester: options.requester,
      dryRun: options.request.dryRun,
      meta: { source: 'cli' },
    });
    await options.onStarted?.(runId);
    for (const event of early.splice(0)) await onEvent(event);
    await finished;
    if (lost) throw reportLost(print, { ...lost, hosts: [...new Set([...lost.hosts, ...touched])].sort() });
    return await engine.get(runId);
  } finally {
    clearInterval(poll);
    await subscription.close();
  }
}

type GateWaiting = Extract<RunEvent, { type: 'gate.waiting' }>;

/**
 * A choice gate: another person picks (Slack, or `marshal approve <run> --option <id>` as themselves).
 * `--auto-approve` takes the gate's default option; a choice without one needs a person, so the run
 * is aborted, as a gate nobody can answer fails closed.
 */
async function answerChoice(options: TerminalRunOptions, runId: string, gate: GateWaiting): Promise<void> {
  const { engine, print } = options;
  const choices = gate.options ?? [];
  if (!options.autoApprove) {
    print(
      `    ${gate.prompt ?? gate.gateId} ${choices.map((o) => `[${o.id}] ${o.label}`).join('  ')}: waiting for another person to choose — in Slack, or \`marshal approve ${runId} --gate ${gate.gateId} --option <id>${gate.planHash ? ` --plan ${gate.planHash.slice(0, 12)}` : ''}\` as themselves`,
    );
    return;
  }
  if (gate.defaultOption) {
    await engine.decide({
      runId,
      gateId: gate.gateId,
      decision: 'approve',
      option: gate.defaultOption,
      by: AUTO_APPROVER,
      reason: `--auto-approve by ${options.requester} (unattended allowed by the access config): the default option`,
      ...(gate.planHash ? { planHash: gate.planHash } : {}),
    });
    return;
  }
  print(`    ${gate.gateId} has no default option and nobody here can choose: aborting`);
  await engine.abort(runId, options.requester, { rollback: true });
}

/** Who an unattended approval is recorded as: never a person. */
const AUTO_APPROVER = 'cli:auto-approve';

function reportLost(print: (line: string) => void, facts: LostRunFacts): RunLost {
  const err = new RunLost(facts);
  print('');
  print('🚨🚨 DATA LOSS 🚨🚨');
  print(`run ${facts.runId}: ${facts.why}. Nothing was rolled back; the run will never finish.`);
  print(
    facts.hosts.length
      ? `hosts touched as far as this terminal and surviving records know: ${facts.hosts.join(', ')}`
      : 'no record names a host it touched: check every host the run targeted',
  );
  return err;
}

/**
 * An approval gate: another person approves (Slack, or `marshal approve <run>` as themselves), never
 * whoever is typing here. `--auto-approve` approves unattended, recorded as such.
 */
async function answerGate(options: TerminalRunOptions, runId: string, gate: GateWaiting): Promise<void> {
  const { engine, print } = options;
  if (!options.autoApprove) {
    const plan = gate.planHash ? ` --plan ${gate.planHash.slice(0, 12)}` : '';
    print(
      `    ${gate.gateId}: waiting for approval by another person${gate.quorum ? ` (${gate.quorum} needed)` : ''} — in Slack, or \`marshal approve ${runId}${plan}\` as themselves; \`marshal abort ${runId}\` rolls the canary back`,
    );
    return;
  }
  // A quorum cannot be met by one unattended approver: the gate waits for people, or times out.
  const result = await engine.decide({
    runId,
    gateId: gate.gateId,
    decision: 'approve',
    by: AUTO_APPROVER,
    reason: `--auto-approve by ${options.requester} (unattended allowed by the access config)`,
    ...(gate.planHash ? { planHash: gate.planHash } : {}),
  });
  if (!result.applied && result.why === 'awaiting_quorum')
    print(
      `    ${gate.gateId} needs ${result.quorum} approvers: --auto-approve counts as one; waiting for others`,
    );
}
