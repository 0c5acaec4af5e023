import type { X509Certificate } from 'node:crypto';
import { oneLineName as oneLine } from '../certificate-summary.js';
import { CertificateRule, type RuleViolation } from '../errors/certificate-rejected-error.js';

/**
 * Checks that `chain` (the intermediates as they will be served) leads from `leaf` to one of `anchors`,
 * each certificate followed by its issuer. Node's X509Certificate does the issuer and signature checks,
 * for RSA and EC alike (node-forge's verifier is RSA-only).
 *
 * Which rule a broken chain breaks is the operator's next step: out of order (reorder the file),
 * incomplete (add the missing intermediate, named), or untrusted (a CA we do not trust, or a forged one).
 */
export function checkChain(
  leaf: X509Certificate,
  chain: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): RuleViolation | undefined {
  const path = [leaf, ...chain];
  const ordered = path.every((cert, i) => i === 0 || issuedBy(path[i - 1]!, cert));
  if (ordered) {
    const top = path[path.length - 1]!;
    if (isAnchored(top, anchors)) return undefined;
    return whyNotAnchored(top, anchors);
  }

  // Out of order, or something missing: try every given certificate in any order from the leaf up.
  const unused = new Set(chain);
  let current = leaf;
  for (;;) {
    if (isAnchored(current, anchors)) break;
    const next = [...unused].find((c) => issuedBy(current, c));
    if (!next) return whyNotAnchored(current, anchors);
    unused.delete(next);
    current = next;
  }
  // Certificates beyond the trust anchor (a root shipped after its intermediate) are harmless; others are not.
  const strays = [...unused].filter((c) => !anchors.some((a) => a.fingerprint256 === c.fingerprint256));
  return {
    rule: CertificateRule.ChainOrder,
    message:
      strays.length > 0
        ? `the chain holds ${strays.length} certificate(s) not on the path to a trusted root (${strays.map(subjectOf).join('; ')})`
        : `the chain is complete but out of order; serve it as ${describeOrder(leaf, chain, anchors)}`,
  };
}

function describeOrder(
  leaf: X509Certificate,
  chain: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): string {
  const order: string[] = [];
  const unused = new Set(chain);
  let current = leaf;
  while (!isAnchored(current, anchors)) {
    const next = [...unused].find((c) => issuedBy(current, c));
    if (!next) break;
    unused.delete(next);
    order.push(`"${subjectOf(next)}"`);
    current = next;
  }
  return `leaf, then ${order.join(', then ')}`;
}

function whyNotAnchored(top: X509Certificate, anchors: readonly X509Certificate[]): RuleViolation {
  if (issuedBy(top, top))
    return {
      rule: CertificateRule.Untrusted,
      message: `the chain ends at the root "${subjectOf(top)}", which the trust store does not hold`,
    };
  if (anchors.some((a) => a.subject === top.issuer))
    return {
      rule: CertificateRule.Untrusted,
      message: `"${subjectOf(top)}" names the trusted "${oneLine(top.issuer)}" as issuer but its signature does not verify with that CA's key`,
    };
  return {
    rule: CertificateRule.ChainIncomplete,
    message: `the issuer of "${subjectOf(top)}", "${oneLine(top.issuer)}", is neither in the chain nor in the trust store (add the missing intermediate)`,
  };
}

function isAnchored(cert: X509Certificate, anchors: readonly X509Certificate[]): boolean {
  return anchors.some((a) => a.fingerprint256 === cert.fingerprint256 || issuedBy(cert, a));
}

/** `issuer` names, and signed, `cert`. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function subjectOf(cert: X509Certificate): string {
  return oneLine(cert.subject);
}
