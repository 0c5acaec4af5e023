/**
 * Certificate renewal (GitHub issue "Certificate renewal, end to end"): one certificate renewed through a
 * real ACME server (pebble, DNS-01 really checked) and deployed to a fleet of real sshd hosts, each
 * serving it with its own nginx, at concurrency 50, two ways on the same fleet:
 *   marshal  createMarshal: engine + workers + the cert-renew workflow (validation with the ACME order,
 *            pre-checks, no canary, the approval given at once by another identity, one batch of 100 %,
 *            concurrency 50, cleanup); every host checked over TLS to serve the new fingerprint
 *   bare (same steps)  ssh2 alone doing the same issuance and the same remote steps, pass by pass
 *            (bench/cert-renew/bare-same-steps.ts)
 * Every host is put back on the first certificate before each round, and checked over TLS after it.
 *   npx tsx bench/cert-renew.ts [--hosts 200] [--rounds 3] [--quick]
 * Writes bench/results/cert-renew.json. marshal / bare (same steps) is the orchestration overhead.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateServices } from '../src/app/certificate-services.js';
import { createMarshal } from '../src/app/create-marshal.js';
import { loadMarshalConfig, type MarshalConfig } from '../src/config/marshal-config.js';
import { probeServedCertificate } from '../src/certificates/probe/probe-served-certificate.js';
import type { RunEvent, RunSnapshot } from '../src/engine/index.js';
import { sh } from '../src/hosts/quote.js';
import { NGINX_COMMANDS } from '../src/local/acme/fleet-nginx.js';
import { LocalPebble } from '../src/local/acme/local-pebble.js';
import { TestCa, type TestCertificate } from '../src/local/acme/test-ca.js';
import { DemoEnvironment } from '../src/local/demo/demo-environment.js';
import { silentLogger } from '../src/log/index.js';
import {
  acmeDefinition,
  addCertificatesConfig,
  CERT_PATH,
  DOMAINS,
  KEY_PATH,
  PORT,
  serveFirstCertificate,
  writeDefinition,
} from '../test/support/cert-fixture.js';
import { executorFor } from '../test/integration/hosts/fleet-executor.js';
import { bareSameStepsRound, type SameStepsResult } from './cert-renew/bare-same-steps.js';
import { median, pool } from './config-push/bare-ssh.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
cert-renew: one certificate renewed through pebble (ACME, DNS-01) and deployed to a fleet of real sshd
hosts each serving it with nginx, Marshal vs a bare ssh2 script doing the same steps, side by side.
  npx tsx bench/cert-renew.ts [--hosts N] [--rounds N] [--quick]
  --hosts N   fleet size (default 200; --quick: 50)
  --rounds N  rounds of each approach (default 3; --quick: 1)
Starts its own redis-server, pebble and challtestsrv. Writes bench/results/cert-renew.json.
`,
  ['certRenewOverBareSameSteps'],
);
const options = benchOptions(USAGE, { hosts: { type: 'string' }, rounds: { type: 'string' } });
const QUICK = options['quick'] === true;
const HOSTS = count(options['hosts'], QUICK ? 50 : 200, 'hosts');
const ROUNDS = count(options['rounds'], QUICK ? 1 : 3, 'rounds');
const CONCURRENCY = 50;
const CERT = 'www';

/** Every host back on the first certificate, nginx reloaded, no side file of an earlier round left. */
async function resetFleet(env: DemoEnvironment, first: TestCertificate): Promise<void> {
  const ssh = executorFor(env.fleet);
  try {
    await pool(env.fleet.hosts, 25, async (host) => {
      await ssh.exec(host, sh`rm -f /etc/ssl/marshal/www/*.marshal-*`);
      await ssh.upload(host, { path: CERT_PATH, content: first.certPem, mode: 0o644 });
      await ssh.upload(host, { path: KEY_PATH, content: first.keyPem, mode: 0o600 });
      const r = await ssh.exec(host, sh`${NGINX_COMMANDS.reload}`);
      if (r.exitCode !== 0) throw new Error(`reset: nginx reload on ${host.name}: ${r.stderr}`);
    });
  } finally {
    await ssh.close();
  }
  await verifyFleet(env, new X509Certificate(first.certPem).fingerprint256, 'reset');
}

/** Throws unless every host serves `fingerprint` over TLS (a reload hands over a moment later). */
async function verifyFleet(env: DemoEnvironment, fingerprint: string, who: string): Promise<void> {
  const wrong: string[] = [];
  await pool(env.fleet.hosts, 25, async (host) => {
    for (let tries = 0; ; tries++) {
      const served = await probeServedCertificate({ host: host.address, port: PORT, servername: DOMAINS[0]! })
        .then((s) => s.fingerprintSha256)
        .catch(() => undefined);
      if (served === fingerprint) return;
      if (tries > 50) return void wrong.push(host.name);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  if (wrong.length > 0)
    throw new Error(
      `${who}: ${wrong.length} of ${env.fleet.hosts.length} hosts do not serve ${fingerprint} (${wrong.slice(0, 5).join(', ')}…)`,
    );
}

// ── Marshal ────────────────────────────────────────────────────────────────────────────────────────

interface MarshalResult {
  ms: number;
  phases: { task: string; startS: number; endS: number }[];
  hostStepMs: number;
  fingerprint: string;
  /** SSH connections Marshal opened (its pool closes one idle for 30 s; the bare script keeps each). */
  connections: number;
}

async function marshalRound(env: DemoEnvironment, config: MarshalConfig): Promise<MarshalResult> {
  // A fresh Marshal per round: its SSH pool starts cold, as the bare script's connections do.
  const marshal = await createMarshal({
    config,
    redisUrl: env.redisUrl,
    prefix: env.prefix,
    logger: silentLogger(),
    notifier: { alert: () => Promise.resolve(), image: () => Promise.resolve() },
  });
  const workers = marshal.engine.startWorkers({ concurrency: 64 });
  const { engine } = marshal;
  let runId: string | undefined;
  const seen: RunEvent[] = [];
  let settle!: (e: Error | undefined) => void;
  const done = new Promise<Error | undefined>((r) => (settle = r));
  const onEvent = (e: RunEvent): void => {
    if (runId === undefined) return void seen.push(e);
    if (e.runId !== runId) return;
    if (e.type === 'gate.waiting')
      engine
        .decide({ runId, gateId: e.gateId, decision: 'approve', by: 'bench:approver' })
        .catch((err: unknown) => settle(err as Error));
    if (e.type === 'run.finished')
      settle(e.state === 'succeeded' ? undefined : new Error(`marshal: run ${runId} ended ${e.state}`));
  };
  const sub = await engine.events.subscribe(onEvent);
  try {
    const started = performance.now();
    runId = await engine.start({
      workflow: 'cert-renew',
      requester: 'bench:requester',
      params: {
        certificate: CERT,
        canary: 0,
        batches: ['100%'],
        soakMs: 0,
        concurrency: CONCURRENCY,
        maxFailPercent: 0,
      },
    });
    for (const e of seen.splice(0)) onEvent(e);
    const failure = await done;
    const ms = performance.now() - started;
    const run = await engine.get(runId);
    if (failure) throw new Error(`${failure.message}\n${describeTasks(run)}`);
    const audit = await marshal.audit.entries(runId);
    const finished = audit.find((e) => e.kind === 'cert.renew.finished')?.data as
      { new?: { fingerprintSha256?: string } } | undefined;
    const fingerprint = finished?.new?.fingerprintSha256;
    if (!fingerprint) throw new Error('marshal: the audit names no new fingerprint');
    const connections = Number(
      /^marshal_ssh_connections_total (\d+)/m.exec(await marshal.metrics.text())?.[1] ?? NaN,
    );
    return {
      ms,
      phases: phasesOf(run),
      hostStepMs: median(run.targets.map((x) => x.durationMs)),
      fingerprint,
      connections,
    };
  } finally {
    await sub.close();
    await workers.close();
    await marshal.close();
  }
}

function phasesOf(run: RunSnapshot): MarshalResult['phases'] {
  const t0 = Date.parse(run.createdAt);
  return run.tasks
    .filter((t) => t.startedAt && t.finishedAt)
    .map((t) => ({
      task: t.taskId,
      startS: (Date.parse(t.startedAt!) - t0) / 1000,
      endS: (Date.parse(t.finishedAt!) - t0) / 1000,
    }));
}

function describeTasks(run: RunSnapshot): string {
  return run.tasks
    .map((t) => `  ${t.state.padEnd(16)}${t.taskId}${t.error ? `: ${t.error}` : ''}`)
    .join('\n');
}

// ── Main ───────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  process.env.MARSHAL_SECRET_KEY ??= randomBytes(32).toString('base64');
  console.log(`Starting Redis, pebble and ${HOSTS} sshd hosts with nginx…`);
  const t = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'marshal-bench-cert-'));
  const pebble = await LocalPebble.start();
  const env = await DemoEnvironment.start({ hosts: HOSTS }).catch(async (err: unknown) => {
    await pebble.stop();
    throw err;
  });
  const stop = (): void => {
    void env.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const firstCa = TestCa.root('Marshal Bench First Root');
    const first = firstCa.issue({ commonName: DOMAINS[0]!, dnsNames: DOMAINS });
    writeFileSync(join(dir, 'trust.pem'), (await pebble.issuerRoots()) + firstCa.certPem);
    writeFileSync(join(dir, 'pebble-tls.pem'), pebble.directoryCaPem);
    mkdirSync(join(dir, 'certificates'));
    writeDefinition(dir, CERT, {
      ...acmeDefinition(pebble.directoryUrl, CERT, 30),
      deploy: {
        ...(acmeDefinition(pebble.directoryUrl, CERT, 30).deploy as object),
        hosts: 'all',
      },
    });
    addCertificatesConfig(env, dir, undefined, pebble.challengeApiUrl);
    await serveFirstCertificate(env, first, 25);
    console.log(`  ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const config = await loadMarshalConfig(env.configPath);
    const certs = await createCertificateServices(config.certificates!, () =>
      Promise.reject(new Error('the bench starts no runs from the radar')),
    );
    const definition = await certs.store.load(CERT);
    const times = { marshal: [] as number[], bareSame: [] as number[] };
    const phases: MarshalResult['phases'][] = [];
    const samePhases: SameStepsResult['phases'][] = [];
    const hostMs = { marshal: [] as number[], bareSame: [] as number[] };
    const connections: number[] = [];
    const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        await resetFleet(env, first);
        const m = await marshalRound(env, config);
        await verifyFleet(env, m.fingerprint, 'marshal');
        times.marshal.push(m.ms);
        phases.push(m.phases);
        hostMs.marshal.push(m.hostStepMs);
        connections.push(m.connections);

        await resetFleet(env, first);
        const same = await bareSameStepsRound(env, certs, definition, CONCURRENCY);
        await verifyFleet(env, same.fingerprint, 'bare (same steps)');
        times.bareSame.push(same.ms);
        samePhases.push(same.phases);
        hostMs.bareSame.push(same.hostStepMs);
        console.log(`round ${round}: marshal ${s(m.ms)}, bare (same steps) ${s(same.ms)}`);
      }
    } finally {
      certs.close();
    }
    report(times, phases, samePhases, hostMs, connections);
  } finally {
    await env.stop();
    await pebble.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Index of the median element of `xs` (the lower one for an even count). */
function medianIndex(xs: number[]): number {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  return order[Math.floor((order.length - 1) / 2)]?.[1] ?? 0;
}

function report(
  times: { marshal: number[]; bareSame: number[] },
  phases: MarshalResult['phases'][],
  samePhases: SameStepsResult['phases'][],
  hostMs: { marshal: number[]; bareSame: number[] },
  connections: number[],
): void {
  const med = { marshal: median(times.marshal) / 1000, bareSame: median(times.bareSame) / 1000 };
  const ratio = med.marshal / med.bareSame;
  console.log(
    `\nRenewal of one certificate, deployed to ${HOSTS} hosts at concurrency ${CONCURRENCY} (medians)`,
  );
  console.log('approach            rounds   median s   hosts/s');
  for (const [k, label] of [
    ['marshal', 'marshal'],
    ['bareSame', 'bare (same steps)'],
  ] as const)
    console.log(
      `${label.padEnd(18)} ${String(times[k].length).padStart(7)}   ${med[k].toFixed(2).padStart(8)}   ${(HOSTS / med[k]).toFixed(1).padStart(7)}`,
    );
  console.log(`\nmarshal / bare (same steps) ${ratio.toFixed(2)}  (orchestration overhead)`);
  console.log(againstGoal('certRenewOverBareSameSteps', ratio));
  const medianPhases = phases[medianIndex(times.marshal)] ?? [];
  console.log('\nMarshal, median round: task        start s    end s   took s');
  for (const p of medianPhases)
    console.log(
      `  ${p.task.padEnd(26)} ${p.startS.toFixed(2).padStart(8)} ${p.endS.toFixed(2).padStart(8)} ${(p.endS - p.startS).toFixed(2).padStart(8)}`,
    );
  const sameMedian = samePhases[medianIndex(times.bareSame)];
  if (sameMedian) {
    console.log('\nbare (same steps), median round: pass   took s');
    for (const [pass, ms] of Object.entries(sameMedian))
      console.log(`  ${pass.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(8)}`);
  }
  const hostStep = { marshal: median(hostMs.marshal), bareSame: median(hostMs.bareSame) };
  console.log(
    `\nOne host's deploy step (median): marshal ${hostStep.marshal.toFixed(0)} ms, bare (same steps) ${hostStep.bareSame.toFixed(0)} ms`,
  );
  console.log(
    `SSH connections opened (median): marshal ${median(connections)}, bare (same steps) ${HOSTS} (one per host, kept open)`,
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/cert-renew.json',
    JSON.stringify(
      {
        hosts: HOSTS,
        concurrency: CONCURRENCY,
        secondsPerRound: {
          marshal: times.marshal.map((ms) => Math.round(ms) / 1000),
          bareSame: times.bareSame.map((ms) => Math.round(ms) / 1000),
        },
        medians: med,
        ratio,
        hostStepMs: hostStep,
        marshalSshConnections: connections,
        marshalPhases: medianPhases,
        bareSameStepsPhasesMs: sameMedian,
      },
      null,
      2,
    ) + '\n',
  );
  console.log('\nwritten to bench/results/cert-renew.json');
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
