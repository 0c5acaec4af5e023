import { createHash } from 'node:crypto';
import type { Json } from '../model/workflow.js';

/**
 * What an approval approves: the workflow and its parameters, the rollout's targets stage by stage
 * (for a rollout's gate), and the workflow's own identity of what it ships (bundle, certificate,
 * release: `ApprovalGateSpec.plan`). Any change to one of them is another plan, with another hash.
 */
export interface PlanFacts {
  workflow: string;
  gateId: string;
  params: unknown;
  /** The stored rollout plan: who goes first, then each batch. */
  stages?: { canary: string[]; batches: string[][] } | undefined;
  identity?: Json | undefined;
}

/** Hex sha256 of the facts in canonical JSON (object keys sorted), so equal plans hash equally anywhere. */
export function planHash(facts: PlanFacts): string {
  return createHash('sha256').update(canonicalJson(facts)).digest('hex');
}

/** The first characters people compare on a card or a terminal; enough to tell plans apart at a glance. */
export function shortPlanHash(hash: string): string {
  return hash.slice(0, 12);
}

/** JSON with object keys sorted at every level and `undefined` fields left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
