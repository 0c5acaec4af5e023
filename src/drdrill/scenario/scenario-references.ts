import type { FieldIssue } from '../../errors/index.js';
import { didYouMean } from '../../inventory/closest-matches.js';
import { inZone } from '../../traffic/dns/domain-name.js';
import type { Scenario } from './scenario-schema.js';

/**
 * The scenario's names must refer to what it defines: checks named by the shift plan, monitoring and
 * fail-back exist; replication ends live in the scenario's regions; names are unique where they are
 * referred to; DNS records sit in the zone the key may update. Pure: one issue per broken reference,
 * with the field path an operator fixes.
 */
export function scenarioReferenceIssues(scenario: Scenario): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { primary, secondary } = scenario.regions;

  if (primary.name === secondary.name)
    issues.push({
      path: 'regions.secondary.name',
      message: `must differ from the primary's ('${primary.name}')`,
    });

  const backendNames = new Map<string, string>();
  const serverNames = new Map<string, string>();
  for (const role of ['primary', 'secondary'] as const) {
    scenario.regions[role].backends.forEach((backend, i) => {
      const at = `regions.${role}.backends[${i}]`;
      const seenName = backendNames.get(backend.name);
      if (seenName)
        issues.push({ path: `${at}.name`, message: `'${backend.name}' is already used at ${seenName}` });
      else backendNames.set(backend.name, at);
      const seenServer = serverNames.get(backend.server);
      if (seenServer)
        issues.push({
          path: `${at}.server`,
          message: `HAProxy server '${backend.server}' already stands for the backend at ${seenServer}`,
        });
      else serverNames.set(backend.server, at);
    });
  }

  const regionNames = [primary.name, secondary.name];
  const replicationNames = new Set<string>();
  scenario.replication.forEach((link, i) => {
    const at = `replication[${i}]`;
    if (replicationNames.has(link.name))
      issues.push({ path: `${at}.name`, message: `'${link.name}' is used twice` });
    replicationNames.add(link.name);
    for (const end of ['primary', 'replica'] as const) {
      const region = link[end].region;
      if (!regionNames.includes(region))
        issues.push({
          path: `${at}.${end}.region`,
          message: `no region '${region}' in this scenario${didYouMean(region, regionNames)}; regions: ${regionNames.join(', ')}`,
        });
    }
    if (link.primary.region === link.replica.region)
      issues.push({
        path: `${at}.replica.region`,
        message: 'the replica must live in the other region than its primary',
      });
  });

  const checkNames = new Set<string>();
  scenario.suite.checks.forEach((check, i) => {
    if (checkNames.has(check.name))
      issues.push({ path: `suite.checks[${i}].name`, message: `'${check.name}' is used twice` });
    checkNames.add(check.name);
  });
  const checkRefs: [string, string[] | undefined][] = [
    ['shift.checks', scenario.shift.checks],
    ['monitoring.checks', scenario.monitoring.checks],
    ['failback.verify', scenario.failback.verify],
  ];
  for (const [path, refs] of checkRefs) {
    refs?.forEach((ref, i) => {
      if (!checkNames.has(ref))
        issues.push({
          path: `${path}[${i}]`,
          message: `no check '${ref}' in suite.checks${didYouMean(ref, checkNames)}; checks: ${[...checkNames].join(', ')}`,
        });
    });
  }

  const dns = scenario.traffic.dns;
  if (dns) {
    const recordNames = new Set<string>();
    dns.records.forEach((record, i) => {
      const at = `traffic.dns.records[${i}]`;
      if (recordNames.has(record.name))
        issues.push({ path: `${at}.name`, message: `'${record.name}' is used twice` });
      recordNames.add(record.name);
      if (!inZone(record.owner, dns.zone))
        issues.push({ path: `${at}.owner`, message: `'${record.owner}' is not in the zone '${dns.zone}'` });
    });
  }
  if (scenario.shift.dnsSwitchAt !== undefined && !dns)
    issues.push({
      path: 'shift.dnsSwitchAt',
      message: 'the plan switches DNS but traffic.dns is not defined',
    });

  return issues;
}
