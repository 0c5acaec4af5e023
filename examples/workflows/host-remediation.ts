/**
 * Host remediation: `/marshal run host-remediation <selector> [--unit web] [--disk /var/lib/app]
 *   [--max-disk 90] [--clean /var/lib/app/spool] [--backend web] [--health http:8080/]`
 *
 * Runbook, per host (canary first, approval by another person, then batches)
 *   1. Detect: is the unit down or failed? Is the disk fuller than --max-disk percent?
 *      A host with neither is skipped (reported healthy, not failed, not touched).
 *   2. Drain it from the load balancer (HAProxy backend --backend, server = the host's `lb_server` var
 *      or its name) and wait for its sessions to end.
 *   3. Fix: clear the files under --clean when the disk is full; restart the unit when it is down.
 *   4. Verify: unit active, disk below the limit, the health check passes three times in a row.
 *   5. Return it to the load balancer.
 *   A host whose fix does not verify stays drained (out of traffic) and fails: the operator reads why.
 *   The service manager is the host's `service_manager` var: `systemd` (default) or `runit:<service dir>`.
 *   A dry run detects and says what it would do on each host; it changes nothing.
 */
import { z } from 'zod';
import {
  HealthCheckSpec,
  RolloutParams,
  defineWorkflowModule,
  hostLocks,
  lbServerOf,
  probeFor,
  serviceManagerOf,
  rolloutStrategy,
  sh,
  type BlockContext,
  type Host,
  type HostBlocks,
  type HostStep,
  type HostStepContext,
  type LbServer,
  type LoadBalancer,
} from '../../src/authoring/index.js';

const AbsolutePath = z.string().regex(/^\/\S*$/, 'an absolute path without spaces');

export const HostRemediationParams = RolloutParams.extend({
  selector: z.string().min(1, 'name the hosts: a selector such as role=web'),
  unit: z
    .string()
    .regex(/^[A-Za-z0-9@_.:-]+$/, 'a unit name')
    .default('web'),
  disk: AbsolutePath.default('/'),
  maxDisk: z.coerce.number().min(1).max(100).default(90),
  /** Whose files may go when the disk is full (logs, spool); nothing is cleared without it. */
  clean: AbsolutePath.optional(),
  backend: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'a HAProxy backend name')
    .default('web'),
  health: HealthCheckSpec.default('http:80/'),
});
export type HostRemediationParams = z.infer<typeof HostRemediationParams>;

/** What is wrong with a host: nothing (skip it), or the problems the fix addresses. */
interface Findings {
  unitDown: boolean;
  diskFull: boolean;
  /** For the operator: `web is down`, `/var/lib/app 97% full`. */
  seen: string[];
}

/**
 * Written on the host before it is drained, removed once it is back: a worker that dies in between leaves
 * it, so the next attempt knows the drained host is its own to return (not one an operator drained).
 */
export function drainMarker(runId: string): string {
  return `/tmp/marshal-remediation-${runId}`;
}

function remediationStep(blocks: HostBlocks, lb: () => LoadBalancer): HostStep<HostRemediationParams> {
  const serverOf = (host: Host, p: HostRemediationParams): LbServer => ({
    backend: p.backend,
    server: lbServerOf(host),
  });

  async function detect(host: Host, p: HostRemediationParams, ctx: BlockContext): Promise<Findings> {
    const unit = await blocks.serviceStatus(host, p.unit, serviceManagerOf(host), ctx);
    const disk = await blocks.diskUsage(host, p.disk, ctx);
    const unitDown = !unit.active;
    const diskFull = disk.usedPercent >= p.maxDisk;
    const seen = [
      ...(unitDown ? [`${p.unit} is ${unit.state}`] : []),
      ...(diskFull ? [`${p.disk} is ${disk.usedPercent}% full`] : []),
    ];
    return { unitDown, diskFull, seen };
  }

  async function healthy(host: Host, ctx: HostStepContext<HostRemediationParams>): Promise<boolean> {
    const found = await detect(host, ctx.params, ctx);
    return !found.unitDown && !found.diskFull;
  }

  return {
    name: 'remediate',
    timeoutMs: 15 * 60_000,

    async plan(ctx) {
      const host = ctx.host;
      const found = await detect(host, ctx.params, ctx);
      if (found.seen.length === 0) return 'healthy: would skip';
      const fixes = [
        ...(found.diskFull ? [`clear ${ctx.params.clean ?? '(nothing: no --clean given)'}`] : []),
        ...(found.unitDown ? [`restart ${ctx.params.unit}`] : []),
      ];
      return `${found.seen.join(', ')}: would drain, ${fixes.join(' and ')}, verify, return`;
    },

    async apply(ctx) {
      const host = ctx.host;
      const p = ctx.params;
      const server = serverOf(host, p);
      const found = await detect(host, p, ctx);
      // An attempt cut short after draining left its marker: this host is ours to return, even healthy.
      const resumed = (await blocks.fileState(host, drainMarker(ctx.runId), ctx)).exists;
      if (found.seen.length === 0 && !resumed) return { changed: false, summary: 'healthy: skipped' };

      if (found.seen.length > 0) {
        await blocks.writeFile(
          host,
          { path: drainMarker(ctx.runId), content: `${server.backend}/${server.server}\n`, mode: 0o600 },
          ctx,
        );
        await lb().drain(server, ctx, { timeoutMs: 60_000 });
        if (found.diskFull) {
          if (!p.clean)
            throw new Error(
              `${p.disk} is full and no --clean directory was given: left drained for an operator`,
            );
          await blocks.run(
            host,
            sh`if [ -d ${p.clean} ]; then find ${p.clean} -xdev -type f -delete; fi`,
            ctx,
            {
              what: `clear ${p.clean}`,
            },
          );
        }
        if (found.unitDown) await blocks.restartService(host, p.unit, serviceManagerOf(host), ctx);
        const after = await detect(host, p, ctx);
        if (after.seen.length > 0)
          throw new Error(`still ${after.seen.join(', ')} after the fix: left drained for an operator`);
      }
      const health = await blocks.waitFor(probeFor(host, p.health), ctx, {
        successes: 3,
        timeoutMs: 2 * 60_000,
      });

      await lb().ready(server, ctx);
      await blocks.run(host, sh`rm -f -- ${drainMarker(ctx.runId)}`, ctx, {
        what: 'remove the drain marker',
      });
      const what = found.seen.length > 0 ? found.seen.join(', ') : 'by an attempt cut short';
      return {
        changed: true,
        summary: `fixed (${what}); ${health.last}; back in ${server.backend}`,
        data: { seen: found.seen },
      };
    },

    // After a crash: done when the host is healthy, back in the load balancer and no attempt's drain
    // marker is left; otherwise apply runs again, which detects afresh (every move of the fix is safe to
    // repeat) and returns a host an earlier attempt drained.
    async check(ctx) {
      const host = ctx.host;
      if ((await blocks.fileState(host, drainMarker(ctx.runId), ctx)).exists) return 'not_applied';
      if (!(await healthy(host, ctx))) return 'not_applied';
      return lb().check(serverOf(host, ctx.params), 'ready');
    },
  };
}

export default defineWorkflowModule({
  name: 'host-remediation',
  summary:
    'Find hosts with a failed unit or a full disk; drain, fix, verify and return each; skip the healthy',
  params: HostRemediationParams,
  syntax: {
    positionals: [{ name: 'selector', help: 'the hosts to look at (inventory selector)' }],
    flags: {
      unit: { kind: 'value', placeholder: 'unit', help: 'the service that must be running' },
      disk: { kind: 'value', placeholder: 'path', help: 'the file system that must not be full' },
      'max-disk': { kind: 'value', placeholder: 'percent', help: 'full from this percentage on' },
      clean: { kind: 'value', placeholder: 'dir', help: 'whose files may go when the disk is full' },
      backend: { kind: 'value', placeholder: 'name', help: 'the HAProxy backend the hosts serve in' },
      health: {
        kind: 'value',
        placeholder: 'http:<port>[/path]|tcp:<port>',
        help: 'must pass before return',
      },
    },
    rollout: true,
  },
  workflow(deps) {
    const hostOf = (name: string): Host => deps.inventory.get(name);
    const lb = (): LoadBalancer => {
      if (!deps.blocks.loadBalancer)
        throw new Error("no load balancer in Marshal's config: hosts cannot be drained, so none is touched");
      return deps.blocks.loadBalancer;
    };
    const targets = (selector: string): string[] => deps.inventory.select(selector).map((h) => h.name);
    return {
      locks: (params) => [`remediation:${params.selector}`],
      tasks(wf) {
        const validation = wf.task('validation', (ctx) => {
          // Fails closed before any host is looked at: no balancer, or a host whose manager is unknown.
          lb();
          const hosts = deps.inventory.select(ctx.params.selector);
          for (const host of hosts) serviceManagerOf(host);
          return Promise.resolve({ hosts: hosts.length });
        });
        const prechecks = wf.task(
          'pre-checks',
          async (ctx) => {
            const names = targets(ctx.params.selector);
            if (!ctx.dryRun) await ctx.lock(hostLocks(names), 'host remediation');
            // Each host must be a server of the backend before anything is drained.
            for (const name of names)
              await lb().state({ backend: ctx.params.backend, server: lbServerOf(hostOf(name)) });
            return { hosts: names.length };
          },
          { after: validation, timeoutMs: 5 * 60_000 },
        );
        wf.rollout('remediate', {
          after: prechecks,
          targets: (ctx) => targets(ctx.params.selector),
          strategy: (ctx) => rolloutStrategy(ctx.params, ctx),
          approval: { timeoutMs: 60 * 60_000 },
          step: remediationStep(deps.blocks, lb),
        });
      },
    };
  },
});
