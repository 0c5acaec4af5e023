import type { AuditSink } from '../audit/audit-entry.js';
import { LoadGenerator } from '../checks/load-generator.js';
import type { MarshalDeps } from '../kit/deps.js';
import { createDrillTraffic } from './create-drill-traffic.js';
import type { DrillTraffic } from './drill-traffic.js';
import { ScenarioDirectory } from './scenario/scenario-directory.js';
import type { CheckSpec, Scenario } from './scenario/scenario-schema.js';
import { parseDrillSettings, type DrillSettings } from './site/drill-settings.js';
import { IncidentFeed, type OpenIncident } from './site/incident-feed.js';
import { secondAuditSink } from './second-audit-sink.js';

/**
 * What the DR drill's runbook calls beyond Marshal's standard deps: the scenarios, each scenario's
 * traffic controls, the site's incident feed and freeze windows, the second audit sink, the load
 * generator. Built per process from the standard deps; tests build it on their local parts.
 */
export interface DrillServices {
  readonly settings: DrillSettings;
  loadScenario(name: string): Promise<Scenario>;
  traffic(scenario: Scenario): DrillTraffic;
  /** Open incidents from the site's feed; none when the site configured no feed. */
  openIncidents(signal?: AbortSignal): Promise<OpenIncident[]>;
  /** The scenario's second audit sink (outside the region being evacuated), if it names one. */
  secondSink(scenario: Scenario): AuditSink | undefined;
  /** Real requests through the load balancer, judged like the scenario's first check. */
  startLoad(scenario: Scenario, check: CheckSpec): LoadGenerator;
  /** Answers for an HTTP URL (any status): undefined when it answered, else why not. */
  unreachable(url: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** The real services, from the `workflowSettings.dr-drill` section and the process environment. */
export function createDrillServices(
  deps: Pick<MarshalDeps, 'settings' | 'dirs'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): DrillServices {
  // Parsed on first use: building the workflow (at load, for `marshal workflows`) must not need the section.
  let parsed: DrillSettings | undefined;
  const settings = (): DrillSettings => (parsed ??= parseDrillSettings(deps.settings, deps.dirs.config));
  return {
    get settings() {
      return settings();
    },
    loadScenario: (name) => new ScenarioDirectory(settings().scenarios).load(name),
    traffic: (scenario) => createDrillTraffic(scenario, env),
    async openIncidents(signal) {
      const feed = settings().incidents;
      if (!feed) return [];
      const token = feed.tokenEnv ? env[feed.tokenEnv] : undefined;
      return new IncidentFeed({ url: feed.url, token, timeoutMs: feed.timeoutMs }).open(signal);
    },
    secondSink: (scenario) => secondAuditSink(scenario),
    startLoad: (scenario, check) =>
      LoadGenerator.start(new URL(check.path, scenario.traffic.haproxy.frontendUrl).toString(), {
        concurrency: settings().load.concurrency,
        pauseMs: settings().load.pauseMs,
        timeoutMs: check.timeoutMs,
        expect: check.expect,
      }),
    unreachable: (url, signal) => unreachable(url, signal),
  };
}

async function unreachable(url: string, signal?: AbortSignal): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(5_000);
  try {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await response.arrayBuffer();
    return undefined;
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    const cause = (err as { cause?: { code?: string } }).cause;
    return timeout.aborted ? 'no answer within 5 s' : (cause?.code ?? (err as Error).message);
  }
}
