import type { HostExecutor } from '../executor.js';
import { runChecked } from './command.js';
import {
  copyDirectory,
  directoryChecksums,
  diskUsage,
  fileState,
  readFile,
  writeFile,
  writeFileCheck,
} from './files.js';
import { HaproxyLoadBalancer } from './haproxy/haproxy-load-balancer.js';
import type { RuntimeApiEndpoint } from './haproxy/haproxy-load-balancer.js';
import { probe } from './probes.js';
import { readBootId, rebootAndWait, rebootCheck } from './reboot.js';
import { restartCheck, restartService, serviceStatus, startService, stopService } from './services.js';
import type { HostBlocks, LoadBalancer } from './types.js';
import { waitFor } from './wait-for.js';

export type * from './types.js';
export { HaproxyLoadBalancer } from './haproxy/haproxy-load-balancer.js';
export type { RuntimeApiEndpoint } from './haproxy/haproxy-load-balancer.js';
export { waitUntilReachable } from './wait-until-reachable.js';

export interface HostBlocksDeps {
  executor: HostExecutor;
  /** HAProxy's runtime API (its admin stats socket), or another LoadBalancer. */
  loadBalancer?: RuntimeApiEndpoint | LoadBalancer;
}

/** The host building blocks over one HostExecutor: what a workflow's deps carry as `blocks`. */
export function createHostBlocks(deps: HostBlocksDeps): HostBlocks {
  const x = deps.executor;
  const lb = deps.loadBalancer;
  const loadBalancer = lb === undefined ? undefined : 'socket' in lb ? new HaproxyLoadBalancer(lb) : lb;
  return {
    run: (host, command, ctx, options) => runChecked(x, host, command, ctx, options),
    fileState: (host, path, ctx) => fileState(x, host, path, ctx),
    readFile: (host, path, ctx) => readFile(x, host, path, ctx),
    writeFile: (host, file, ctx) => writeFile(x, host, file, ctx),
    writeFileCheck: (host, file, ctx) => writeFileCheck(x, host, file, ctx),
    copyDirectory: (from, to, dir, ctx) => copyDirectory(x, from, to, dir, ctx),
    directoryChecksums: (host, dir, ctx) => directoryChecksums(x, host, dir, ctx),
    diskUsage: (host, path, ctx) => diskUsage(x, host, path, ctx),
    bootId: (host, ctx) => readBootId(x, host, ctx),
    reboot: (host, ctx, options) => rebootAndWait(x, host, ctx, options),
    rebootCheck: (host, checkpoint, ctx, options) => rebootCheck(x, host, checkpoint, ctx, options),
    waitFor: (spec, ctx, thresholds) => waitFor(describeTarget(spec), spec, ctx, thresholds),
    probe: (spec, timeoutMs) => probe(spec, timeoutMs),
    serviceStatus: (host, unit, manager, ctx) => serviceStatus(x, host, unit, manager, ctx),
    restartService: (host, unit, manager, ctx, options) =>
      restartService(x, host, unit, manager, ctx, options),
    restartCheck: (host, checkpoint, manager, ctx) => restartCheck(x, host, checkpoint, manager, ctx),
    startService: (host, unit, manager, ctx) => startService(x, host, unit, manager, ctx),
    stopService: (host, unit, manager, ctx) => stopService(x, host, unit, manager, ctx),
    ...(loadBalancer ? { loadBalancer } : {}),
  };
}

function describeTarget(spec: Parameters<HostBlocks['waitFor']>[0]): string {
  if (spec.kind !== 'http') return spec.host;
  return URL.canParse(spec.url) ? new URL(spec.url).host : spec.url;
}
