import { ErrorCode, MarshalError } from '../../errors/index.js';

export interface LostRunFacts {
  runId: string;
  /** Hosts the run touched, as far as any surviving record knows (may be incomplete). */
  hosts: readonly string[];
  /** When the loss was noticed (ISO time), if it was recorded. */
  detectedAt?: string;
  /** Why Marshal believes the state was lost, e.g. `Redis restarted (run_id changed) without its data`. */
  why: string;
}

/**
 * A run whose state vanished from Redis under running work: nobody knows what it finished. The message
 * lists the hosts the surviving records name, which an operator must check by hand.
 */
export class RunLost extends MarshalError {
  override name = 'RunLost';
  readonly facts: LostRunFacts;
  constructor(facts: LostRunFacts) {
    const hosts = facts.hosts.length
      ? `hosts touched as far as surviving records know (${facts.hosts.length}): ${facts.hosts.join(', ')}`
      : 'no surviving record names a host it touched';
    super(
      ErrorCode.RunLost,
      `DATA LOSS: run ${facts.runId}'s state is gone from Redis (${facts.why}${
        facts.detectedAt ? `, noticed ${facts.detectedAt}` : ''
      }); nothing was rolled back and its hosts may be half-changed; ${hosts}. Check those hosts by hand and enable Redis persistence (appendonly yes).`,
      { retryable: false, context: { ...facts, hosts: [...facts.hosts] } },
    );
    this.facts = facts;
  }
}
