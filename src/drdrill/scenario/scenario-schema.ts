import { isIP } from 'node:net';
import { z } from 'zod';
import { durationMsSchema } from '../../engine/rollout/duration.js';
import { DomainName, EnvVarName, HaproxyName, LocalName, Percent, Rate } from './names.js';

/**
 * A DR drill scenario as an operator declares it in the scenarios directory: the two regions, how
 * traffic is moved between them (HAProxy weights, DNS records), what must be replicated, the checks
 * that say "users are served", the shift plan, and the targets the scorecard is measured against.
 * This schema checks each field's shape; `scenarioReferenceIssues` checks that names refer to things
 * the scenario defines. Secrets are never in the file: only the name of the variable holding them.
 */

const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .refine((u) => !new URL(u).username && !new URL(u).password, 'must not carry credentials');

const Backend = z.strictObject({
  /** How the scenario refers to this backend. */
  name: LocalName,
  /** The HAProxy server (in `traffic.haproxy.backend`) that sends traffic to it. */
  server: HaproxyName,
  /** Where the test suite reaches it directly, bypassing the load balancer. */
  url: HttpUrl,
});

const Region = z.strictObject({
  name: LocalName,
  backends: z.array(Backend).min(1, 'a region needs at least one backend'),
});

const Haproxy = z.strictObject({
  /** The runtime API's stats socket (`stats socket … level admin`). */
  socket: z.string().startsWith('/', 'must be an absolute path to the stats socket'),
  /** The HAProxy backend whose servers are the regions' backends. */
  backend: HaproxyName,
  /** The weight a server serving its whole share gets (HAProxy allows 1–256). */
  fullWeight: z.number().int().min(1).max(256).default(100),
  /** Where users reach the service through the load balancer (the test suite's target during the shift). */
  frontendUrl: HttpUrl,
});

const TsigKey = z.strictObject({
  name: DomainName,
  algorithm: z.enum(['hmac-sha256', 'hmac-sha384', 'hmac-sha512', 'hmac-sha224', 'hmac-sha1', 'hmac-md5'], {
    error: 'must be one of hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, hmac-sha1, hmac-md5',
  }),
  secret: z.strictObject(
    { env: EnvVarName },
    {
      error:
        'the TSIG secret is never written in a scenario: name the environment variable that holds it, as secret: { env: DRILL_TSIG_SECRET }',
    },
  ),
});

const RecordType = z.enum(['A', 'AAAA', 'CNAME'], { error: 'must be A, AAAA or CNAME' });

const DnsRecord = z
  .strictObject({
    /** How the scenario refers to this record. */
    name: LocalName,
    /** The record's owner name in the zone, e.g. `api.example.com.` */
    owner: DomainName,
    type: RecordType,
    ttl: z.number().int().min(0).max(86_400).default(60),
    /** The record's values while the primary serves (what fail-back restores). */
    primary: z.array(z.string()).min(1, 'name at least one value'),
    /** The record's values once the secondary serves. */
    secondary: z.array(z.string()).min(1, 'name at least one value'),
  })
  .superRefine((record, ctx) => {
    for (const side of ['primary', 'secondary'] as const) {
      const values = record[side];
      if (record.type === 'CNAME' && values.length > 1)
        ctx.addIssue({ code: 'custom', path: [side], message: 'a CNAME has exactly one value' });
      values.forEach((value, i) => {
        const problem = recordValueProblem(record.type, value);
        if (problem) ctx.addIssue({ code: 'custom', path: [side, i], message: problem });
      });
    }
  });

function recordValueProblem(type: z.infer<typeof RecordType>, value: string): string | undefined {
  if (type === 'A') return isIP(value) === 4 ? undefined : `${JSON.stringify(value)} is not an IPv4 address`;
  if (type === 'AAAA')
    return isIP(value) === 6 ? undefined : `${JSON.stringify(value)} is not an IPv6 address`;
  return DomainName.safeParse(value).success ? undefined : `${JSON.stringify(value)} is not a DNS name`;
}

const Dns = z.strictObject({
  /** The authoritative server taking the updates: `host` or `host:port` (IPv4) / `[v6]:port`. */
  server: z
    .string()
    .regex(/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, 'must be host or host:port'),
  zone: DomainName,
  key: TsigKey,
  records: z.array(DnsRecord).min(1, 'name the records the drill switches'),
});

const RedisEndpoint = z.strictObject({
  /** The region this end lives in. */
  region: LocalName,
  /** `redis://host:port`; a password, if any, comes from `passwordEnv`. */
  url: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .refine((u) => !new URL(u).password, 'must not carry a password: use passwordEnv'),
  passwordEnv: EnvVarName.optional(),
});

const Replication = z.strictObject({
  name: LocalName,
  kind: z.literal('redis', { error: 'only redis replication is checked today' }),
  primary: RedisEndpoint,
  replica: RedisEndpoint,
  /** Seconds since the replica last heard from its primary, at most. */
  maxLagSeconds: z.number().min(0).default(10),
  /** Bytes of the replication stream the replica has not applied yet, at most. */
  maxLagBytes: z.number().int().min(0).default(1_048_576),
});

const Check = z.strictObject({
  name: LocalName,
  path: z.string().startsWith('/', 'must be a path starting with "/"'),
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  requests: z.number().int().min(1).max(100_000).default(50),
  concurrency: z.number().int().min(1).max(256).default(4),
  timeoutMs: durationMsSchema({ field: 'timeout' }).default(5_000),
  expect: z
    .strictObject({
      status: z.array(z.number().int().min(100).max(599)).min(1).default([200]),
      /** Text the body must contain. */
      contains: z.string().min(1).optional(),
    })
    .default({ status: [200] }),
  thresholds: z.strictObject({
    /** Share of requests that may fail (wrong status, missing content, timeout, refused). */
    maxErrorRate: Rate,
    /** 95th percentile latency, at most. */
    p95: durationMsSchema({ field: 'p95' }),
  }),
});

const ShiftPlan = z
  .strictObject({
    /** The first share moved to the secondary, before the approval. */
    canary: Percent.refine(
      (p) => p > 0 && p < 100,
      'the canary share must be more than 0% and less than 100%',
    ),
    /** The shares after the approval, rising, ending at 100%. */
    batches: z.array(Percent).min(1, 'name at least one batch (the last is 100%)'),
    /** How long each step soaks before its checks. */
    soak: durationMsSchema({ field: 'soak' }).default(30_000),
    /** Switch DNS once the secondary serves this share (or never when absent). */
    dnsSwitchAt: Percent.optional(),
    /** The checks run after every step through the load balancer (all of the suite when absent). */
    checks: z.array(LocalName).optional(),
  })
  .superRefine((plan, ctx) => {
    let previous = plan.canary;
    plan.batches.forEach((share, i) => {
      if (share <= previous)
        ctx.addIssue({
          code: 'custom',
          path: ['batches', i],
          message: `each batch moves more than the step before it (${share}% after ${previous}%)`,
        });
      previous = Math.max(previous, share);
    });
    if (plan.batches.at(-1) !== 100)
      ctx.addIssue({
        code: 'custom',
        path: ['batches', plan.batches.length - 1],
        message: 'the last batch is 100%: a drill ends with the secondary serving everything',
      });
    if (plan.dnsSwitchAt !== undefined && ![plan.canary, ...plan.batches].includes(plan.dnsSwitchAt))
      ctx.addIssue({
        code: 'custom',
        path: ['dnsSwitchAt'],
        message: `must be one of the plan's steps (${[plan.canary, ...plan.batches].join('%, ')}%)`,
      });
  });

const Monitoring = z.strictObject({
  /** How long the secondary keeps being probed after the shift. */
  period: durationMsSchema({ field: 'monitoring.period' }),
  interval: durationMsSchema({ field: 'monitoring.interval' }).default(30_000),
  checks: z.array(LocalName).optional(),
});

const Failback = z.strictObject({
  /** What happens when nobody chooses in time. */
  policy: z.enum(['fail-back', 'stay'], { error: 'must be fail-back or stay' }),
  decideWithin: durationMsSchema({ field: 'failback.decideWithin' }).default(1_800_000),
  /** The checks that prove the primary serves again after a fail-back. */
  verify: z.array(LocalName).optional(),
});

const AuditSink = z.union([
  z.strictObject({ file: z.string().startsWith('/', 'must be an absolute path') }),
  z.strictObject({ http: HttpUrl }),
]);

export const ScenarioSchema = z.strictObject({
  name: LocalName,
  description: z.string().optional(),
  regions: z.strictObject({ primary: Region, secondary: Region }),
  traffic: z.strictObject({ haproxy: Haproxy, dns: Dns.optional() }),
  replication: z.array(Replication).default([]),
  suite: z.strictObject({ checks: z.array(Check).min(1, 'a drill needs at least one check') }),
  shift: ShiftPlan,
  rto: durationMsSchema({ field: 'rto' }).refine((ms) => ms > 0, 'the RTO target must be more than 0'),
  monitoring: Monitoring,
  failback: Failback,
  /** A second audit sink that does not live in the region being evacuated. */
  audit: AuditSink.optional(),
});

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioRegion = Scenario['regions']['primary'];
export type ScenarioBackend = ScenarioRegion['backends'][number];
export type DnsSettings = NonNullable<Scenario['traffic']['dns']>;
export type DnsRecordSpec = DnsSettings['records'][number];
export type TsigKeySpec = DnsSettings['key'];
export type ReplicationSpec = Scenario['replication'][number];
export type CheckSpec = Scenario['suite']['checks'][number];
export type ShiftPlanSpec = Scenario['shift'];
