import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors/index.js';
import { WeightedHaproxy } from '../../../src/local/drill/weighted-haproxy.js';
import { RegionBackend, regionsServing } from '../../../src/local/drill/region-backend.js';
import { HaproxyRuntime } from '../../../src/traffic/haproxy/haproxy-runtime.js';
import { UnixRuntimeSocket } from '../../../src/traffic/haproxy/runtime-socket.js';
import { planWeights } from '../../../src/traffic/weights/plan-weights.js';

describe('shifting traffic between regions through the HAProxy runtime API', () => {
  let west: RegionBackend;
  let central: RegionBackend;
  let haproxy: WeightedHaproxy;
  let runtime: HaproxyRuntime;
  const servers = { primary: ['west1'], secondary: ['central1'], fullWeight: 100 };

  beforeAll(async () => {
    west = await RegionBackend.start('eu-west', 'west-1');
    central = await RegionBackend.start('eu-central', 'central-1');
    haproxy = await WeightedHaproxy.start([
      {
        name: 'checkout',
        servers: [
          { name: 'west1', host: west.host, port: west.port, weight: 100 },
          { name: 'central1', host: central.host, port: central.port, weight: 0 },
        ],
      },
      {
        // A static hashing algorithm: HAProxy refuses weights other than 0% and 100% at run time.
        name: 'sticky',
        balance: 'source',
        servers: [
          { name: 'west1', host: west.host, port: west.port, weight: 100 },
          { name: 'central1', host: central.host, port: central.port, weight: 100 },
        ],
      },
    ]);
    runtime = new HaproxyRuntime(new UnixRuntimeSocket(haproxy.socketPath));
  });
  afterAll(async () => {
    await haproxy?.stop();
    await west?.stop();
    await central?.stop();
  });

  it('moves real requests 0% → 25% → 100% to the secondary as the weights say', async () => {
    const before = await regionsServing(haproxy.frontendUrl, 40);
    expect(before).toEqual({ 'eu-west': 40 });

    const quarter = planWeights(servers, 25);
    const live = await runtime.setWeights('checkout', quarter.weights);
    expect(live.map((s) => [s.server, s.weight])).toEqual([
      ['west1', 75],
      ['central1', 25],
    ]);
    const atQuarter = await regionsServing(haproxy.frontendUrl, 200);
    // Round robin spreads 200 requests 150/50 by weight; a few either way is still a quarter.
    expect(atQuarter['eu-central']).toBeGreaterThanOrEqual(40);
    expect(atQuarter['eu-central']).toBeLessThanOrEqual(60);
    expect((atQuarter['eu-west'] ?? 0) + (atQuarter['eu-central'] ?? 0)).toBe(200);

    await runtime.setWeights('checkout', planWeights(servers, 100).weights);
    expect(await regionsServing(haproxy.frontendUrl, 40)).toEqual({ 'eu-central': 40 });

    // HAProxy's own counters agree: the secondary's server was sent connections.
    const stats = await runtime.stats();
    const centralRow = stats.find((r) => r.pxname === 'checkout' && r.svname === 'central1');
    expect(centralRow!.stot).toBeGreaterThanOrEqual(40);

    // Fail back.
    await runtime.setWeights('checkout', planWeights(servers, 0).weights);
    expect(await regionsServing(haproxy.frontendUrl, 20)).toEqual({ 'eu-west': 20 });
  });

  it('the dry run names a server that does not exist, with the close one, and changes nothing', async () => {
    const before = await runtime.serversState('checkout');
    const err = await runtime.verify('checkout', ['west1', 'centrl1']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.LoadBalancerFailed });
    expect((err as Error).message).toMatch(/no server 'centrl1'; did you mean 'central1'\?/);
    const weightsErr = await runtime
      .setWeights(
        'checkout',
        new Map([
          ['west1', 0],
          ['centrl1', 100],
        ]),
      )
      .catch((e: unknown) => e);
    expect(weightsErr).toMatchObject({ code: ErrorCode.LoadBalancerFailed });
    expect(await runtime.serversState('checkout')).toEqual(before);
  });

  it("reports a weight HAProxy refuses in HAProxy's words, with the live weights", async () => {
    const err = await runtime.setWeights('sticky', new Map([['central1', 30]])).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.LoadBalancerFailed });
    expect((err as Error).message).toMatch(/central1 is at 100, not 30 \(HAProxy said: central1: .*static/);
  });

  it('names a backend that does not exist, with the close one', async () => {
    const err = await runtime.serversState('chekout').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no backend 'chekout'; did you mean 'checkout'\?/);
  });

  it('refuses a name that would carry a second command before sending anything', async () => {
    await expect(runtime.setState('checkout', 'west1;shutdown', 'drain')).rejects.toThrow(/no spaces or ";"/);
    expect((await runtime.serversState('checkout')).every((s) => s.admin === 'ready')).toBe(true);
  });

  it('drains and readies a server, reading the state back', async () => {
    expect((await runtime.setState('checkout', 'west1', 'drain')).admin).toBe('drain');
    expect((await runtime.setState('checkout', 'west1', 'ready')).admin).toBe('ready');
  });

  it('reports a runtime API that cannot be reached as retryable', async () => {
    const gone = new HaproxyRuntime(new UnixRuntimeSocket(`${haproxy.dir}/no-such.sock`));
    await expect(gone.serversState('checkout')).rejects.toMatchObject({
      code: ErrorCode.LoadBalancerFailed,
      retryable: true,
    });
  });
});
