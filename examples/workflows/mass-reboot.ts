/**
 * Mass reboot: `/marshal run mass-reboot <selector> [--health http:8080/health] [--canary 1 --batches 25%,100%]`
 *
 * Runbook
 *   1. Pick the hosts (inventory selector); every one must say which rack it is in (`rack` var).
 *   2. Lock them, and make sure each answers before anything is rebooted.
 *   3. Reboot the canary; wait until it answers on a NEW boot (a session from before the reboot never
 *      counts as back) and its service passes the health check three times in a row.
 *   4. Someone other than the requester looks at the canary and approves.
 *   5. Reboot the rest in batches, never more than one host of a rack at once, same wait and check.
 *   A host that does not come back, or comes back unhealthy, fails and stops the rollout within its
 *   failure budget. A reboot cannot be undone: there is no rollback, the failed host is reported.
 *   A dry run reads each host's boot id and says what would happen; nothing is rebooted.
 */
import { z } from 'zod';
import {
  HealthCheckSpec,
  RolloutParams,
  defineWorkflowModule,
  hostLocks,
  probeFor,
  rolloutStrategy,
  type HealthProbe,
  type Host,
  type HostBlocks,
  type HostStep,
  type Json,
} from '../../src/authoring/index.js';

/** `http:<port>[/path]` or `tcp:<port>`: what must answer on each host after its reboot. */
const HealthCheck = z.union([HealthCheckSpec, z.literal('none')]);

export const MassRebootParams = RolloutParams.extend({
  selector: z.string().min(1, 'name the hosts: a selector such as role=web or web-*'),
  health: HealthCheck.default('tcp:22'),
  /** The inventory var that names a host's rack: never two hosts of one rack down at once. */
  rackVar: z.string().default('rack'),
  /** How long one host may take to come back. */
  rebootTimeoutMs: z.coerce
    .number()
    .int()
    .min(1000)
    .default(10 * 60_000),
});
export type MassRebootParams = z.infer<typeof MassRebootParams>;

function healthProbe(host: Host, health: string): HealthProbe | undefined {
  return health === 'none' ? undefined : probeFor(host, health);
}

/** Every host must say which rack it is in: without it two hosts of one rack could go down together. */
function racksOf(hosts: Host[], rackVar: string): { hosts: number; racks: string[] } {
  const rackless = hosts.filter((h) => typeof h.vars[rackVar] !== 'string');
  if (rackless.length > 0)
    throw new Error(
      `${rackless.map((h) => h.name).join(', ')} ha${rackless.length === 1 ? 's' : 've'} no ${rackVar} var: without it two hosts of one rack could go down together; add it to the inventory`,
    );
  return { hosts: hosts.length, racks: [...new Set(hosts.map((h) => String(h.vars[rackVar])))] };
}

function rebootStep(blocks: HostBlocks): HostStep<MassRebootParams> {
  return {
    name: 'reboot and wait',
    timeoutMs: 20 * 60_000,

    async plan(ctx) {
      const host = ctx.host;
      const bootId = await blocks.bootId(host, ctx);
      return `would reboot (now on boot ${bootId.slice(0, 8)}), wait for a new boot id, then check ${ctx.params.health}`;
    },

    async apply(ctx) {
      const host = ctx.host;
      const { previousBootId, bootId } = await blocks.reboot(host, ctx, {
        timeoutMs: ctx.params.rebootTimeoutMs,
      });
      const probe = healthProbe(host, ctx.params.health);
      const healthy = probe
        ? await blocks.waitFor(probe, ctx, { successes: 3, intervalMs: 1000, timeoutMs: 5 * 60_000 })
        : undefined;
      return {
        changed: true,
        summary: `rebooted: boot ${previousBootId.slice(0, 8)} → ${bootId.slice(0, 8)}${healthy ? `, ${healthy.last}` : ''}`,
        data: { previousBootId, bootId },
      };
    },

    // After a worker died mid-step: the boot id checkpointed before the reboot tells whether it happened.
    async check(ctx, checkpoint?: Json) {
      const host = ctx.host;
      if ((await blocks.rebootCheck(host, checkpoint, ctx)) === 'not_applied') return 'not_applied';
      const probe = healthProbe(host, ctx.params.health);
      if (probe) await blocks.waitFor(probe, ctx, { successes: 3, timeoutMs: 5 * 60_000 });
      return 'applied';
    },
  };
}

export default defineWorkflowModule({
  name: 'mass-reboot',
  summary:
    'Reboot hosts canary first, then in batches, one host per rack at a time; each must come back healthy',
  params: MassRebootParams,
  syntax: {
    positionals: [{ name: 'selector', help: 'the hosts to reboot (inventory selector)' }],
    flags: {
      health: {
        kind: 'value',
        placeholder: 'http:<port>[/path]|tcp:<port>|none',
        help: 'what must answer after the reboot',
      },
    },
    rollout: true,
  },
  workflow(deps) {
    const blocks = deps.blocks;
    const hostOf = (name: string): Host => deps.inventory.get(name);
    const targets = (selector: string): string[] => deps.inventory.select(selector).map((h) => h.name);
    return {
      locks: (params) => [`reboot:${params.selector}`],
      tasks(wf) {
        const validation = wf.task('validation', (ctx) =>
          Promise.resolve(racksOf(deps.inventory.select(ctx.params.selector), ctx.params.rackVar)),
        );

        const prechecks = wf.task(
          'pre-checks',
          async (ctx) => {
            const names = targets(ctx.params.selector);
            if (!ctx.dryRun) await ctx.lock(hostLocks(names), 'mass reboot');
            // Every host must answer before the first one goes down.
            const boots = await Promise.all(names.map(async (n) => [n, await blocks.bootId(hostOf(n), ctx)]));
            return Object.fromEntries(boots) as Json;
          },
          { after: validation, timeoutMs: 5 * 60_000 },
        );

        wf.rollout('reboot', {
          after: prechecks,
          targets: (ctx) => targets(ctx.params.selector),
          // Never more than one host of a rack down at once (a wider --max-per is the operator's choice).
          strategy: (ctx) => ({
            ...rolloutStrategy(ctx.params, ctx),
            maxPer: ctx.params.maxPer ?? { var: ctx.params.rackVar, n: 1 },
          }),
          approval: { timeoutMs: 60 * 60_000 },
          step: rebootStep(blocks),
        });
      },
    };
  },
});
