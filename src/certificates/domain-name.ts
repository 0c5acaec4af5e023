import { z } from 'zod';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `name` is not a DNS name a certificate may carry (lowercase, optional leading `*.`), or undefined. */
export function domainNameProblem(name: string): string | undefined {
  if (name.length > 253) return 'must be at most 253 characters';
  if (name !== name.toLowerCase()) return 'must be lowercase';
  const labels = name.split('.');
  if (labels.length < 2) return `"${name}" must be a fully qualified name like www.example.com`;
  const [first, ...rest] = labels;
  if (first === '*') {
    if (rest.length < 2)
      return 'a wildcard must stand for one label of a name with at least two more (*.example.com)';
  } else if (!LABEL.test(first ?? '')) return labelProblem(name);
  if (!rest.every((label) => LABEL.test(label))) return labelProblem(name);
  return undefined;
}

function labelProblem(name: string): string {
  return `"${name}" is not a DNS name: labels of letters, digits and "-" (1-63 each, not starting or ending with "-"), a wildcard only as the whole first label`;
}

export const DomainName = z.string().superRefine((name, ctx) => {
  const problem = domainNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Whether the certificate name `pattern` (possibly `*.example.com`) covers the host name `host`. */
export function domainCovers(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
}
