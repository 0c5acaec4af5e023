import { compareVersions } from './version-order.js';
import type { HostFacts } from './host-facts.js';

export interface VerdictInput {
  readonly facts: HostFacts;
  readonly target: { readonly version: string; readonly sizeBytes: number };
  /** The failed attempt Marshal remembers for this host and release, if any. */
  readonly failedBefore: { readonly runId: string; readonly at: string; readonly error: string } | undefined;
  readonly includeFailed: boolean;
  readonly allowDowngrade: boolean;
}

/** Why a host is left out, or null when it may be upgraded. Pure: the pre-checks' rules in one place. */
export function skipReason(input: VerdictInput): string | null {
  const { facts, target } = input;
  if (input.failedBefore && !input.includeFailed)
    return `failed an upgrade to this release before (run ${input.failedBefore.runId}, ${input.failedBefore.at}: ${input.failedBefore.error.slice(0, 160)}); --include-failed tries it again`;
  if (facts.busy.length > 0) return `critical workload: ${facts.busy.join('; ')}`;
  // Room for the image and a tenth more (the tool's own files while it unpacks).
  const neededKb = Math.ceil((target.sizeBytes * 1.1) / 1024);
  if (facts.availKb < neededKb)
    return `not enough free disk for the image: ${facts.availKb} KiB free, ${neededKb} KiB needed`;
  const order = compareVersions(facts.version, target.version);
  if (order === 0) return `already runs ${target.version}`;
  if (order > 0 && !input.allowDowngrade)
    return `runs ${facts.version}, newer than ${target.version}: a downgrade needs --allow-downgrade`;
  return null;
}
