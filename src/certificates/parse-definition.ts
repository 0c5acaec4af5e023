import { parseDocument } from 'yaml';
import { outsideAllowedRoots } from '../bundles/target-path.js';
import { ErrorCode, ValidationError, type FieldIssue } from '../errors/index.js';
import { CertificateDefinition } from './definition.js';

export interface CertificateDefinitionOptions {
  /** Directories certificates and keys may be deployed under, from Marshal's configuration, e.g. `['/etc/ssl/marshal']`. */
  allowedRoots: readonly string[];
}

export const DEFINITION_FILE = 'certificate.yaml';

const invalid = (name: string, issues: FieldIssue[]): ValidationError =>
  new ValidationError(`Certificate "${name}": ${DEFINITION_FILE} is invalid`, issues, {
    code: ErrorCode.InvalidCertificateDefinition,
    context: { certificate: name },
  });

/**
 * Reads and checks a certificate definition. `name` is its directory's name, which the file must repeat.
 * Every problem is reported at once, each with the field it is about.
 */
export function parseCertificateDefinition(
  name: string,
  text: string,
  options: CertificateDefinitionOptions,
): CertificateDefinition {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ValidationError(
      `Certificate "${name}": ${DEFINITION_FILE} is not valid YAML`,
      doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0] ?? e.message })),
      { code: ErrorCode.InvalidCertificateDefinition, context: { certificate: name } },
    );
  const parsed = CertificateDefinition.safeParse(doc.toJS());
  if (!parsed.success)
    throw ValidationError.fromZod(`Certificate "${name}": ${DEFINITION_FILE} is invalid`, parsed.error, {
      code: ErrorCode.InvalidCertificateDefinition,
      context: { certificate: name },
    });
  const definition = parsed.data;
  const issues: FieldIssue[] = [];
  if (definition.name !== name)
    issues.push({
      path: 'name',
      message: `must match the certificate's directory name "${name}", found "${definition.name}"`,
    });
  for (const field of ['certificate', 'key', 'chain'] as const) {
    const file = definition.deploy[field];
    if (!file) continue;
    const outside = outsideAllowedRoots(file.path, options.allowedRoots);
    if (outside) issues.push({ path: `deploy.${field}.path`, message: outside });
  }
  if (issues.length > 0) throw invalid(name, issues);
  return definition;
}
