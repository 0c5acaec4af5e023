import { z } from 'zod';
import type { Json } from './workflow.js';

/**
 * What a gate shows its approvers (`ApprovalGateSpec.evidence`), one schema for the workflows that
 * write it and the card that renders it (src/slack/blocks/approval-card.ts), so every part reaches
 * approvers as a readable section: never as a JSON dump. Unknown fields are kept but only plain values
 * among them are shown (as facts).
 */
export const EvidenceCheck = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string().optional(),
});

/** One host of the canary: did the change go in, and what it said. */
export const EvidenceCanaryHost = z.object({
  host: z.string(),
  ok: z.boolean(),
  changed: z.boolean().optional(),
  summary: z.string().nullable().optional(),
  error: z.string().nullable().optional(),
});

/**
 * A diff: plain unified-diff text, or a summary as src/bundles/diff-summary.ts makes it (a headline
 * and the first changed lines, `+ text` / `- text` / `@@ line N`), optionally for one host.
 */
export const EvidenceDiff = z.union([
  z.string(),
  z.object({
    host: z.string().optional(),
    file: z.string().optional(),
    headline: z.string(),
    preview: z.array(z.string()),
  }),
]);

export type EvidenceDiff = z.infer<typeof EvidenceDiff>;

/** A few lines of a log, titled (e.g. `nginx -t on web-01`). */
export const EvidenceLog = z.object({ title: z.string(), lines: z.array(z.string()) });

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const ApprovalEvidence = z.looseObject({
  /** One paragraph, first on the card. */
  summary: z.string().optional(),
  /** What ships, as the plan hash covers it: bundle, version, sha256, certificate serial, release … */
  identity: z.record(z.string(), Scalar).optional(),
  canary: z.array(EvidenceCanaryHost).optional(),
  checks: z.array(EvidenceCheck).optional(),
  diff: EvidenceDiff.nullable().optional(),
  logs: z.array(EvidenceLog).optional(),
  dryRun: z.string().optional(),
  /** Further plain facts, label → value (e.g. `Hosts after the canary: 41`). */
  facts: z.record(z.string(), Scalar).optional(),
});
export type ApprovalEvidence = z.infer<typeof ApprovalEvidence>;
export type ApprovalEvidenceInput = z.input<typeof ApprovalEvidence>;

/**
 * What a workflow's `evidence` returns, checked against the schema the card renders: a workflow that
 * drifts from it fails its gate with the field named, rather than showing approvers a dump.
 */
export function approvalEvidence(evidence: ApprovalEvidenceInput): Json {
  const parsed = ApprovalEvidence.safeParse(evidence);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `approval evidence does not match ApprovalEvidence at ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
    );
  }
  return JSON.parse(JSON.stringify(parsed.data)) as Json;
}
