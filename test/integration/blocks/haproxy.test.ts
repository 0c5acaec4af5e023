import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaproxyLoadBalancer, createHostBlocks, type BlockContext } from '../../../src/hosts/blocks/index.js';
import { LoadBalancerError } from '../../../src/traffic/errors/load-balancer-error.js';
import type { SshExecutor } from '../../../src/hosts/ssh/index.js';
import { LocalHaproxy } from '../../../src/local/haproxy.js';
import { SshFleet, httpServerRunScript, installFleetService } from '../../../src/local/fleet/index.js';
import { executorFor } from '../hosts/fleet-executor.js';

const ctx: BlockContext = { signal: new AbortController().signal };
const PORT = 8080;
const WWW = '/var/lib/marshal-host/www';

async function whoAnswers(url: string, requests: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < requests; i++) {
    const res = await fetch(url, { headers: { connection: 'close' } });
    seen.add((await res.text()).trim());
  }
  return seen;
}

/** HAProxy's own health check has seen every server up (traffic goes only to servers it sees up). */
async function allUp(lb: HaproxyLoadBalancer, servers: string[]): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const states = await Promise.all(servers.map((server) => lb.state({ backend: 'web', server })));
    if (states.every((s) => s.operational === 'running')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('HAProxy never saw every server up');
}

describe('load balancer block: HAProxy runtime API in front of real HTTP backends on fleet hosts', () => {
  let fleet: SshFleet;
  let ssh: SshExecutor;
  let haproxy: LocalHaproxy;
  let lb: HaproxyLoadBalancer;

  beforeAll(async () => {
    fleet = await SshFleet.start({ count: 2, name: 'blklb' });
    ssh = executorFor(fleet);
    for (const host of fleet.hosts) {
      installFleetService(fleet, host, 'web', httpServerRunScript(host.address, PORT, WWW));
      await fleet.reboot(host);
      mkdirSync(fleet.localPath(host, WWW), { recursive: true });
      writeFileSync(fleet.localPath(host, `${WWW}/index.html`), `${host.name}\n`);
    }
    haproxy = await LocalHaproxy.start({
      backends: [
        { name: 'web', servers: fleet.hosts.map((h) => ({ name: h.name, address: h.address, port: PORT })) },
      ],
    });
    lb = new HaproxyLoadBalancer({ socket: haproxy.socket });
    const blocks = createHostBlocks({ executor: ssh, loadBalancer: { socket: haproxy.socket } });
    // Both backends pass HAProxy's own health check before traffic is measured.
    for (const host of fleet.hosts) {
      await blocks.waitFor({ kind: 'http', url: `http://${host.address}:${PORT}/` }, ctx, {
        timeoutMs: 30_000,
      });
      for (
        let i = 0;
        i < 100 && (await lb.state({ backend: 'web', server: host.name })).operational !== 'running';
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await haproxy?.stop();
    await ssh?.close();
    await fleet?.stopAll();
  });

  it('drains a server (no request reaches it), checks it, and returns it to traffic', async () => {
    const [a, b] = [fleet.hosts[0]!, fleet.hosts[1]!];
    const target = { backend: 'web', server: a.name };
    expect(await whoAnswers(haproxy.url('web'), 6)).toEqual(new Set([a.name, b.name]));
    expect(await lb.check(target, 'drain')).toBe('not_applied');
    await allUp(lb, [a.name, b.name]);

    await lb.drain(target, ctx, { timeoutMs: 10_000 });
    expect(await lb.state(target)).toMatchObject({ admin: 'drain', operational: 'running', port: PORT });
    expect(await lb.check(target, 'drain')).toBe('applied');
    expect(await lb.sessions(target)).toBe(0);
    expect(await whoAnswers(haproxy.url('web'), 8)).toEqual(new Set([b.name]));

    await lb.ready(target, ctx);
    expect(await lb.check(target, 'ready')).toBe('applied');
    await allUp(lb, [a.name, b.name]);
    // Back in rotation (HAProxy's round robin may first send it a run of requests to even out).
    expect((await whoAnswers(haproxy.url('web'), 6)).has(a.name)).toBe(true);
  });

  it('names the backend or server HAProxy does not know, and refuses names that are not names', async () => {
    const unknownBackend = await lb.drain({ backend: 'webb', server: 'x' }, ctx).catch((e: unknown) => e);
    expect(unknownBackend).toBeInstanceOf(LoadBalancerError);
    expect((unknownBackend as Error).message).toMatch(/HAProxy has no backend 'webb'; did you mean .*web/);
    const unknownServer = await lb.state({ backend: 'web', server: 'ghost' }).catch((e: unknown) => e);
    expect((unknownServer as Error).message).toMatch(/HAProxy backend 'web' has no server 'ghost'/);
    const injected = await lb
      .drain({ backend: 'web', server: `${fleet.hosts[0]!.name} state maint; shutdown` }, ctx)
      .catch((e: unknown) => e);
    expect((injected as Error).message).toMatch(/must be an HAProxy name/);
    expect(await lb.check({ backend: 'web', server: fleet.hosts[0]!.name }, 'ready')).toBe('applied');
  });

  it('an unreachable runtime API is a retryable LoadBalancerError', async () => {
    const gone = new HaproxyLoadBalancer({ socket: `${haproxy.dir}/missing.sock` });
    const err = await gone
      .check({ backend: 'web', server: fleet.hosts[0]!.name }, 'ready')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadBalancerError);
    expect((err as LoadBalancerError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/cannot reach HAProxy's runtime API/);
  });
});
