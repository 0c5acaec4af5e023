/**
 * Application relocation: `/marshal run app-relocation <app> from <host-a> to <host-b> --data <dir>
 *   [--backend web] [--health http:8080/]`
 *
 * Runbook
 *   1. Validate: two different hosts of the inventory, both servers of the load balancer's backend; the
 *      app runs on A and its data directory is there (its files are listed with their checksums).
 *   2. Someone other than the requester approves the move (shown: files, bytes, from, to).
 *   3. Stop the app on A, after draining A from the load balancer so no request meets a stopped server.
 *   4. Copy the data directory from A to B over SFTP; every file's sha256 on B must equal A's.
 *   5. Start the app on B and wait until its health check passes three times in a row.
 *   6. Switch the load balancer: B takes traffic; A stays drained.
 *   If any of 3–6 fails, the rollback puts it back on A: the app stopped on B and B drained, the app
 *   started on A, healthy, and A back in the load balancer. A's data is never touched, so it is intact.
 *   The service manager is each host's `service_manager` var: `systemd` (default) or `runit:<dir>`.
 *   A dry run validates and says what each step would do; it stops, copies and switches nothing.
 */
import { z } from 'zod';
import {
  HealthCheckSpec,
  defineWorkflowModule,
  hostLocks,
  lbServerOf,
  probeFor,
  serviceManagerOf,
  type BlockContext,
  type Host,
  type HostBlocks,
  type Json,
  type LbServer,
  type LoadBalancer,
  type TaskContext,
} from '../../src/authoring/index.js';

const Name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9@_.:-]+$/, `${what}: letters, digits and @ _ . : - only`);

export const AppRelocationParams = z
  .object({
    app: Name('the app (its unit or service name)'),
    from: z.string().min(1, 'the host the app runs on now'),
    to: z.string().min(1, 'the host it moves to'),
    data: z.string().regex(/^\/\S+$/, "the app's data directory: an absolute path without spaces"),
    backend: Name('the HAProxy backend').default('web'),
    health: HealthCheckSpec.default('http:80/'),
  })
  .refine((p) => p.from !== p.to, { message: 'from and to are the same host', path: ['to'] });
export type AppRelocationParams = z.infer<typeof AppRelocationParams>;

export default defineWorkflowModule({
  name: 'app-relocation',
  summary:
    'Move an app and its data from one host to another, switch the load balancer; roll back to the first',
  params: AppRelocationParams,
  syntax: {
    positionals: [
      { name: 'app', help: 'the app (its unit or service name)' },
      { literal: 'from' },
      { name: 'from', help: 'the host it runs on now' },
      { literal: 'to' },
      { name: 'to', help: 'the host it moves to' },
    ],
    flags: {
      data: { kind: 'value', placeholder: 'dir', help: "the app's data directory" },
      backend: { kind: 'value', placeholder: 'name', help: 'the HAProxy backend the app serves in' },
      health: {
        kind: 'value',
        placeholder: 'http:<port>[/path]|tcp:<port>',
        help: 'must pass on the new host',
      },
    },
  },
  workflow(deps) {
    const blocks: HostBlocks = deps.blocks;
    const lb = (): LoadBalancer => {
      if (!blocks.loadBalancer)
        throw new Error(
          "no load balancer in Marshal's config: traffic cannot be switched, so nothing is moved",
        );
      return blocks.loadBalancer;
    };
    const hosts = (p: AppRelocationParams) => ({
      a: deps.inventory.get(p.from),
      b: deps.inventory.get(p.to),
    });
    const server = (host: Host, p: AppRelocationParams): LbServer => ({
      backend: p.backend,
      server: lbServerOf(host),
    });
    const dry = (ctx: TaskContext<AppRelocationParams>, plan: string): { plan: string } | undefined =>
      ctx.dryRun ? { plan } : undefined;

    /** The app running on `host`, healthy, and in the load balancer. */
    async function serveOn(host: Host, p: AppRelocationParams, ctx: BlockContext): Promise<string> {
      await blocks.startService(host, p.app, serviceManagerOf(host), ctx);
      const healthy = await blocks.waitFor(probeFor(host, p.health), ctx, {
        successes: 3,
        timeoutMs: 2 * 60_000,
      });
      return healthy.last;
    }

    return {
      locks: (p) => [`app:${p.app}`],
      tasks(wf) {
        const validation = wf.task(
          'validation',
          async (ctx) => {
            const p = ctx.params;
            const { a, b } = hosts(p);
            if (!ctx.dryRun) await ctx.lock(hostLocks([a.name, b.name]), `relocation of ${p.app}`);
            for (const host of [a, b]) await lb().state(server(host, p));
            const running = await blocks.serviceStatus(a, p.app, serviceManagerOf(a), ctx);
            if (!running.active)
              throw new Error(`${p.app} is ${running.state} on ${a.name}, not running: nothing to move`);
            await blocks.serviceStatus(b, p.app, serviceManagerOf(b), ctx);
            const files = await blocks.directoryChecksums(a, p.data, ctx);
            return { from: a.name, to: b.name, files: Object.keys(files).length };
          },
          { timeoutMs: 5 * 60_000 },
        );

        const approval = wf.approval('approval', {
          after: validation,
          prompt: 'Move the app to the other host?',
          timeoutMs: 60 * 60_000,
          evidence: (ctx) => {
            const found = ctx.output(validation);
            return Promise.resolve({ app: ctx.params.app, ...(found ?? {}), data: ctx.params.data });
          },
        });

        const stop = wf.task(
          'stop-on-source',
          async (ctx) => {
            const p = ctx.params;
            const { a } = hosts(p);
            const planned = dry(ctx, `would drain ${a.name} from ${p.backend} and stop ${p.app} there`);
            if (planned) return planned;
            await lb().drain(server(a, p), ctx, { timeoutMs: 60_000 });
            await blocks.stopService(a, p.app, serviceManagerOf(a), ctx);
            return { stopped: a.name };
          },
          { after: approval, timeoutMs: 5 * 60_000 },
        );

        const copy = wf.task(
          'copy-data',
          async (ctx) => {
            const p = ctx.params;
            const { a, b } = hosts(p);
            const planned = dry(
              ctx,
              `would copy ${p.data} from ${a.name} to ${b.name} over SFTP, checksums verified`,
            );
            if (planned) return planned;
            const copied = await blocks.copyDirectory(a, b, { source: p.data, target: p.data }, ctx);
            const onB = await blocks.directoryChecksums(b, p.data, ctx);
            const wrong = Object.keys(copied).filter((f) => onB[f] !== copied[f]);
            if (wrong.length > 0) throw new Error(`checksums differ on ${b.name} for ${wrong.join(', ')}`);
            return { files: Object.keys(copied).length };
          },
          { after: stop, timeoutMs: 30 * 60_000 },
        );

        const start = wf.task(
          'start-on-target',
          async (ctx) => {
            const p = ctx.params;
            const { b } = hosts(p);
            const planned = dry(ctx, `would start ${p.app} on ${b.name} and check ${p.health}`);
            if (planned) return planned;
            return { healthy: await serveOn(b, p, ctx) };
          },
          { after: copy, timeoutMs: 5 * 60_000 },
        );

        const switchTraffic = wf.task(
          'switch-traffic',
          async (ctx) => {
            const p = ctx.params;
            const { a, b } = hosts(p);
            const planned = dry(ctx, `would put ${b.name} in ${p.backend}; ${a.name} stays drained`);
            if (planned) return planned;
            await lb().ready(server(b, p), ctx);
            await lb().drain(server(a, p), ctx, { timeoutMs: 0 });
            return { serving: b.name };
          },
          { after: start, timeoutMs: 5 * 60_000 },
        );

        // Runs when a step of the move failed (or the approval was refused: then nothing changed, and
        // putting A back is a no-op). A's data was never touched.
        wf.task(
          'rollback',
          async (ctx): Promise<Json> => {
            const p = ctx.params;
            const { a, b } = hosts(p);
            if (ctx.dryRun) return { plan: 'nothing to roll back in a dry run' };
            await lb().drain(server(b, p), ctx, { timeoutMs: 60_000 });
            await blocks.stopService(b, p.app, serviceManagerOf(b), ctx);
            const healthy = await serveOn(a, p, ctx);
            await lb().ready(server(a, p), ctx);
            return { serving: a.name, healthy };
          },
          { after: [stop, copy, start, switchTraffic], trigger: 'one_failed', timeoutMs: 10 * 60_000 },
        );
      },
    };
  },
});
