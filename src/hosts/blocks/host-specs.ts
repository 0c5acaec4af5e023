import { z } from 'zod';
import type { Host } from '../host.js';
import type { HealthProbe, ServiceManager } from './types.js';

/**
 * How operators write a health check on the command line, and how a host's inventory says which service
 * manager it has: shared by every workflow so `--health http:8080/healthz` means one thing everywhere.
 */

/** `http:<port>[/path]` or `tcp:<port>`, probed at the host's address. */
export const HealthCheckSpec = z
  .string()
  .regex(/^(http:\d{1,5}(\/\S*)?|tcp:\d{1,5})$/, 'write http:<port>[/path] or tcp:<port>');

/** The probe a `HealthCheckSpec` stands for on one host. */
export function probeFor(host: Host, spec: string): HealthProbe {
  const parsed = HealthCheckSpec.parse(spec);
  const colon = parsed.indexOf(':');
  const kind = parsed.slice(0, colon);
  const rest = parsed.slice(colon + 1);
  const slash = rest.indexOf('/');
  const port = Number(slash < 0 ? rest : rest.slice(0, slash));
  if (kind === 'tcp') return { kind: 'tcp', host: host.address, port };
  return { kind: 'http', url: `http://${host.address}:${port}${slash < 0 ? '/' : rest.slice(slash)}` };
}

/**
 * The host's `service_manager` inventory var: `systemd` (also when unset) or `runit:<service dir>`.
 * Anything else is refused, naming the host.
 */
export function serviceManagerOf(host: Host): ServiceManager {
  const declared = host.vars.service_manager;
  if (declared === undefined || declared === 'systemd') return { kind: 'systemd' };
  if (typeof declared === 'string' && /^runit:\/\S+$/.test(declared))
    return { kind: 'runit', serviceDir: declared.slice('runit:'.length) };
  throw new Error(
    `${host.name}: inventory var service_manager is ${JSON.stringify(declared)}; write systemd or runit:<service dir>`,
  );
}

/** The host's server name in a load balancer: its `lb_server` var, or its inventory name. */
export function lbServerOf(host: Host): string {
  return typeof host.vars.lb_server === 'string' ? host.vars.lb_server : host.name;
}

/** The lock names of hosts (`host:<name>`): every workflow that changes a host holds its lock. */
export function hostLocks(names: readonly string[]): string[] {
  return names.map((name) => `host:${name}`);
}
