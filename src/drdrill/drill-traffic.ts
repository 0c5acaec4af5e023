import { runHttpSuite, type HttpCheckResult } from '../checks/http-check.js';
import { ValidationError, isMarshalError } from '../errors/index.js';
import { checkRedisReplication, type RedisEnd } from '../replication/redis-replication.js';
import type { ReplicationHealth } from '../replication/replication-health.js';
import type { DnsReader } from '../traffic/dns/dns-reader.js';
import { parseDnsServer, type DnsServer } from '../traffic/dns/dns-update.js';
import { DnsZone, type RecordSet } from '../traffic/dns/dns-zone.js';
import type { DnsUpdateSender } from '../traffic/dns/knsupdate-client.js';
import { switchRecords, type Side } from '../traffic/dns/record-switch.js';
import { resolveTsigKey } from '../traffic/dns/tsig-key.js';
import type { HaproxyRuntime } from '../traffic/haproxy/haproxy-runtime.js';
import type { ServerState } from '../traffic/haproxy/servers-state.js';
import { planWeights, type WeightPlan } from '../traffic/weights/plan-weights.js';
import type { CheckSpec, Scenario } from './scenario/scenario-schema.js';

/** The I/O a drill's traffic controls use, each behind its own small interface; wiring passes real ones. */
export interface DrillTrafficDeps {
  scenario: Scenario;
  /** Where secrets named by the scenario are read (process.env in production). */
  env: Readonly<Record<string, string | undefined>>;
  haproxy: HaproxyRuntime;
  dns: { sender: DnsUpdateSender; reader: (server: DnsServer) => DnsReader };
  redis: (url: string, password: string | undefined) => RedisEnd & { close(): Promise<void> };
}

/** One thing the validation phase checked against the live systems. */
export interface Finding {
  check: 'haproxy' | 'dns' | 'replication';
  subject: string;
  ok: boolean;
  /** What was found, in words for the thread. */
  detail: string;
  error?: unknown;
}

/**
 * What a DR drill does to traffic, for one scenario, as the runbook's phases call it: the dry runs of
 * the validation phase, the weight shift of each step, the DNS switch, the test suite against a region or
 * through the load balancer, the replication check. No state of its own: HAProxy, the zone and Redis are
 * read every time, so a step taken by another worker is seen, not assumed.
 */
export class DrillTraffic {
  constructor(private readonly deps: DrillTrafficDeps) {}

  private get scenario(): Scenario {
    return this.deps.scenario;
  }

  /** HAProxy server names of a region's backends, in the scenario's order. */
  servers(side: Side): string[] {
    return this.scenario.regions[side].backends.map((b) => b.server);
  }

  /**
   * Validation's dry runs, all of them even when one fails, so the operator sees every typo at once:
   * every HAProxy server named exists; the DNS update's key and prerequisites hold on the live zone (the
   * records are the primary's now); every replication link is healthy. Changes nothing.
   */
  async preflight(signal?: AbortSignal): Promise<{ ok: boolean; findings: Finding[] }> {
    const findings = await Promise.all([
      this.preflightHaproxy(signal),
      ...(this.scenario.traffic.dns ? [this.preflightDns(signal)] : []),
      ...this.scenario.replication.map((link) => this.preflightReplication(link.name)),
    ]);
    return { ok: findings.every((f) => f.ok), findings };
  }

  /** Moves `share` percent of the load balancer's traffic to the secondary; returns the plan and the live state. */
  async shift(share: number, signal?: AbortSignal): Promise<{ plan: WeightPlan; live: ServerState[] }> {
    const { haproxy } = this.scenario.traffic;
    const plan = planWeights(
      {
        primary: this.servers('primary'),
        secondary: this.servers('secondary'),
        fullWeight: haproxy.fullWeight,
      },
      share,
    );
    const live = await this.deps.haproxy.setWeights(haproxy.backend, plan.weights, signal);
    return { plan, live };
  }

  /** The weights in force now, per server of both regions: saved before the drill, restored by fail-back. */
  async weights(signal?: AbortSignal): Promise<Map<string, number>> {
    const { backend } = this.scenario.traffic.haproxy;
    const live = await this.deps.haproxy.verify(
      backend,
      [...this.servers('primary'), ...this.servers('secondary')],
      signal,
    );
    return new Map(live.map((s) => [s.server, s.weight]));
  }

  /**
   * The share of traffic (percent) HAProxy sends to the secondary now, from its live weights: where a
   * drill taken over by another worker really is, whatever the last attempt managed to record.
   */
  async liveShare(signal?: AbortSignal): Promise<number> {
    const weights = await this.weights(signal);
    const sum = (side: Side): number =>
      this.servers(side).reduce((n, server) => n + (weights.get(server) ?? 0), 0);
    const [primary, secondary] = [sum('primary'), sum('secondary')];
    return primary + secondary === 0 ? 0 : (100 * secondary) / (primary + secondary);
  }

  /** Puts back weights saved by `weights()` (fail-back to exactly what was there before the drill). */
  async restoreWeights(saved: ReadonlyMap<string, number>, signal?: AbortSignal): Promise<ServerState[]> {
    return this.deps.haproxy.setWeights(this.scenario.traffic.haproxy.backend, saved, signal);
  }

  /** Every scenario record moved from one side's values to the other's, in one update checked by prerequisites. */
  async switchDns(from: Side, to: Side, signal?: AbortSignal): Promise<RecordSet[]> {
    const { zone, update } = this.dnsUpdate(from, to);
    return zone.apply(update, signal);
  }

  /**
   * Whether every scenario record holds `side`'s values in the live zone (asked as the prerequisites of
   * an update that is never sent): how an attempt that took over learns whether DNS was switched.
   */
  async dnsHolds(side: Side, signal?: AbortSignal): Promise<boolean> {
    const { zone, update } = this.dnsUpdate(side, side === 'primary' ? 'secondary' : 'primary');
    try {
      await zone.dryRun(update, signal);
      return true;
    } catch (err) {
      if (signal?.aborted) throw err;
      return false;
    }
  }

  /**
   * The suite (or the named checks) against a region's backends directly, or through the load balancer
   * (`frontend`), as users reach it. One result per check and backend.
   */
  async runSuite(
    target: Side | 'frontend',
    checkNames?: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ pass: boolean; results: HttpCheckResult[] }> {
    const checks = this.checks(checkNames);
    const urls =
      target === 'frontend'
        ? [this.scenario.traffic.haproxy.frontendUrl]
        : this.scenario.regions[target].backends.map((b) => b.url);
    const results: HttpCheckResult[] = [];
    for (const url of urls) results.push(...(await runHttpSuite(checks, url, signal)).results);
    return { pass: results.every((r) => r.verdict.pass), results };
  }

  async checkReplication(name: string): Promise<ReplicationHealth> {
    const link = this.scenario.replication.find((l) => l.name === name);
    if (!link) throw new RangeError(`no replication link '${name}' in scenario ${this.scenario.name}`);
    const index = this.scenario.replication.indexOf(link);
    const password = (end: 'primary' | 'replica'): string | undefined => {
      const variable = link[end].passwordEnv;
      if (variable === undefined) return undefined;
      const value = this.deps.env[variable];
      if (!value)
        throw new ValidationError('Replication check', [
          {
            path: `replication[${index}].${end}.passwordEnv`,
            message: `the environment variable ${variable} is not set`,
          },
        ]);
      return value;
    };
    const [primaryPassword, replicaPassword] = [password('primary'), password('replica')];
    const primary = this.deps.redis(link.primary.url, primaryPassword);
    const replica = this.deps.redis(link.replica.url, replicaPassword);
    try {
      return await checkRedisReplication({
        name,
        primary,
        replica,
        limits: { maxLagSeconds: link.maxLagSeconds, maxLagBytes: link.maxLagBytes },
      });
    } finally {
      await Promise.all([primary.close(), replica.close()]);
    }
  }

  private checks(names: readonly string[] | undefined): CheckSpec[] {
    const all = this.scenario.suite.checks;
    if (!names) return [...all];
    return names.map((n) => {
      const check = all.find((c) => c.name === n);
      if (!check) throw new RangeError(`no check '${n}' in scenario ${this.scenario.name}`);
      return check;
    });
  }

  private dnsUpdate(from: Side, to: Side): { zone: DnsZone; update: ReturnType<typeof switchRecords> } {
    const dns = this.scenario.traffic.dns;
    if (!dns) throw new RangeError(`scenario ${this.scenario.name} defines no DNS records`);
    const server = parseDnsServer(dns.server);
    const key = resolveTsigKey(dns.key, this.deps.env);
    const zone = new DnsZone({
      zone: dns.zone,
      server,
      key,
      sender: this.deps.dns.sender,
      reader: this.deps.dns.reader(server),
    });
    return { zone, update: switchRecords(dns.zone, dns.records, from, to) };
  }

  private async preflightHaproxy(signal?: AbortSignal): Promise<Finding> {
    const { backend } = this.scenario.traffic.haproxy;
    const subject = `HAProxy backend ${backend}`;
    try {
      const live = await this.deps.haproxy.verify(
        backend,
        [...this.servers('primary'), ...this.servers('secondary')],
        signal,
      );
      return {
        check: 'haproxy',
        subject,
        ok: true,
        detail: live.map((s) => `${s.server} weight ${s.weight} ${s.admin}`).join(', '),
      };
    } catch (err) {
      return failed('haproxy', subject, err);
    }
  }

  private async preflightDns(signal?: AbortSignal): Promise<Finding> {
    const subject = `DNS zone ${this.scenario.traffic.dns!.zone}`;
    try {
      const { zone, update } = this.dnsUpdate('primary', 'secondary');
      const live = await zone.dryRun(update, signal);
      return {
        check: 'dns',
        subject,
        ok: true,
        detail: live.map((r) => `${r.owner} ${r.type} ${r.values.join(', ')}`).join('; '),
      };
    } catch (err) {
      return failed('dns', subject, err);
    }
  }

  private async preflightReplication(name: string): Promise<Finding> {
    const subject = `replication ${name}`;
    try {
      const health = await this.checkReplication(name);
      return {
        check: 'replication',
        subject,
        ok: health.healthy,
        detail: health.healthy
          ? `lag ${health.lagSeconds} s, ${health.lagBytes ?? '?'} bytes`
          : health.problems.join('; '),
      };
    } catch (err) {
      return failed('replication', subject, err);
    }
  }
}

function failed(check: Finding['check'], subject: string, err: unknown): Finding {
  const detail = isMarshalError(err) || err instanceof Error ? err.message : String(err);
  return { check, subject, ok: false, detail, error: err };
}
