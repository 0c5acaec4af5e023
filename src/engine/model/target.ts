import { Host } from '../../hosts/host.js';
import type { TargetId } from './workflow.js';

/**
 * How the engine learns what a target is: its inventory `Host` (address, groups, vars). The planner
 * reads failure-domain vars through it (`--max-per rack=1`, `--by az`) and host steps get it as
 * `ctx.host`. Throws for a name it does not know (the rollout's plan is then refused, naming it).
 * Marshal passes its inventory's `get`.
 */
export type TargetResolver = (name: TargetId) => Host;

/**
 * The resolver of an engine given no inventory (tests, benchmarks): every target is a host with only
 * its name, no vars, so any failure-domain var is missing and such a plan is refused.
 */
export const bareTarget: TargetResolver = (name) => Host.parse({ name, address: name });
