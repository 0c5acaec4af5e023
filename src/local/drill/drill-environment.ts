import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { WeightedHaproxy } from './weighted-haproxy.js';
import { LocalKnot } from './knot-dns.js';
import { LocalRedis } from '../redis-server.js';
import { startReplicaOf } from './redis-replica.js';
import { RegionBackend } from './region-backend.js';

/**
 * Everything a DR drill touches, started on loopback for tests and the local run: two regions of real
 * HTTP backends, HAProxy in front of them (runtime API socket), an authoritative DNS server taking
 * TSIG-signed updates, and a Redis primary with its replica in the secondary region. Writes a scenario
 * file for them into its own scenarios directory; the TSIG secret is only in `env`, as in production.
 */
export interface DrillEnvironmentOptions {
  /** Backends per region (default 1 each). */
  backendsPerRegion?: number;
}

/** A scenario as YAML data, for tests to edit into variants (a typo, a missing field). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ScenarioDocument = Record<string, any>;

export const DRILL_ZONE = 'drill.test.';
export const TSIG_SECRET_ENV = 'DRILL_TSIG_SECRET';

export class DrillEnvironment {
  private constructor(
    readonly scenariosDir: string,
    readonly scenarioName: string,
    readonly primary: RegionBackend[],
    readonly secondary: RegionBackend[],
    readonly haproxy: WeightedHaproxy,
    readonly dns: LocalKnot,
    readonly redisPrimary: LocalRedis,
    readonly redisReplica: LocalRedis,
    private readonly document: ScenarioDocument,
  ) {}

  /**
   * Writes a copy of the local scenario, named `name` and changed by `edit`, next to it; returns the name.
   * Bad-input tests make their typo here and load it through the scenarios directory like any other.
   */
  async writeVariant(name: string, edit: (doc: ScenarioDocument) => void): Promise<string> {
    const doc = structuredClone(this.document);
    doc.name = name;
    edit(doc);
    await writeFile(join(this.scenariosDir, `${name}.yaml`), stringify(doc));
    return name;
  }

  /** The environment Marshal reads secrets from in this drill. */
  get env(): Record<string, string> {
    return { [TSIG_SECRET_ENV]: this.dns.key.secret };
  }

  static async start(options: DrillEnvironmentOptions = {}): Promise<DrillEnvironment> {
    const n = options.backendsPerRegion ?? 1;
    const started: { stop(): Promise<void> }[] = [];
    const track = <T extends { stop(): Promise<void> }>(x: T): T => (started.push(x), x);
    try {
      const primary: RegionBackend[] = [];
      const secondary: RegionBackend[] = [];
      for (let i = 1; i <= n; i++) {
        primary.push(track(await RegionBackend.start('eu-west', `west-${i}`)));
        secondary.push(track(await RegionBackend.start('eu-central', `central-${i}`)));
      }
      const haproxy = track(
        await WeightedHaproxy.start([
          {
            name: 'checkout',
            servers: [
              ...primary.map((b, i) => ({ name: `west${i + 1}`, host: b.host, port: b.port, weight: 100 })),
              ...secondary.map((b, i) => ({
                name: `central${i + 1}`,
                host: b.host,
                port: b.port,
                weight: 0,
              })),
            ],
          },
        ]),
      );
      const dns = track(
        await LocalKnot.start({
          zone: DRILL_ZONE,
          records: ['api 60 IN A 192.0.2.10', 'www 60 IN CNAME west'],
        }),
      );
      const redisPrimary = await LocalRedis.start();
      started.push({ stop: () => redisPrimary.destroy() });
      const redisReplica = await startReplicaOf({ host: '127.0.0.1', port: redisPrimary.port });
      started.push({ stop: () => redisReplica.destroy() });

      const scenariosDir = await mkdtemp(join(tmpdir(), 'marshal-drills-'));
      const scenario = {
        name: 'local-drill',
        description: 'eu-west to eu-central on loopback',
        regions: {
          primary: {
            name: 'eu-west',
            backends: primary.map((b, i) => ({ name: b.name, server: `west${i + 1}`, url: b.url })),
          },
          secondary: {
            name: 'eu-central',
            backends: secondary.map((b, i) => ({ name: b.name, server: `central${i + 1}`, url: b.url })),
          },
        },
        traffic: {
          haproxy: {
            socket: haproxy.socketPath,
            backend: 'checkout',
            fullWeight: 100,
            frontendUrl: haproxy.frontendUrl,
          },
          dns: {
            server: dns.address,
            zone: DRILL_ZONE,
            key: { name: dns.key.name, algorithm: dns.key.algorithm, secret: { env: TSIG_SECRET_ENV } },
            records: [
              {
                name: 'api',
                owner: `api.${DRILL_ZONE}`,
                type: 'A',
                ttl: 30,
                primary: ['192.0.2.10'],
                secondary: ['198.51.100.10'],
              },
              {
                name: 'www',
                owner: `www.${DRILL_ZONE}`,
                type: 'CNAME',
                ttl: 30,
                primary: [`west.${DRILL_ZONE}`],
                secondary: [`central.${DRILL_ZONE}`],
              },
            ],
          },
        },
        replication: [
          {
            name: 'sessions',
            kind: 'redis',
            primary: { region: 'eu-west', url: redisPrimary.url },
            replica: { region: 'eu-central', url: redisReplica.url },
            maxLagSeconds: 10,
            maxLagBytes: 1_048_576,
          },
        ],
        suite: {
          checks: [
            {
              name: 'health',
              path: '/healthz',
              requests: 20,
              concurrency: 4,
              timeoutMs: '5s',
              expect: { status: [200], contains: 'ok' },
              thresholds: { maxErrorRate: '0%', p95: '5s' },
            },
          ],
        },
        shift: { canary: '5%', batches: ['25%', '50%', '100%'], soak: '1s', dnsSwitchAt: '100%' },
        rto: '5m',
        monitoring: { period: '10s', interval: '2s' },
        failback: { policy: 'fail-back', decideWithin: '1m' },
      };
      await writeFile(join(scenariosDir, `${scenario.name}.yaml`), stringify(scenario));
      return new DrillEnvironment(
        scenariosDir,
        scenario.name,
        primary,
        secondary,
        haproxy,
        dns,
        redisPrimary,
        redisReplica,
        scenario,
      );
    } catch (err) {
      await Promise.allSettled(started.reverse().map((s) => s.stop()));
      throw err;
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled([
      ...this.primary.map((b) => b.stop()),
      ...this.secondary.map((b) => b.stop()),
      this.haproxy.stop(),
      this.dns.stop(),
      this.redisReplica.destroy(),
      this.redisPrimary.destroy(),
    ]);
    await rm(this.scenariosDir, { recursive: true, force: true });
  }
}
