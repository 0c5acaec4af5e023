import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { ErrorCode, ValidationError, type FieldIssue } from '../errors/index.js';
import { checkAgainstSchema } from './config-schema.js';
import { BundleManifest } from './manifest.js';
import { parseConfig } from './parse-config.js';
import { checkSemanticRules } from './semantic-rules.js';
import { outsideAllowedRoots } from './target-path.js';

/** A bundle that passed every check: what gets pushed, and the checksum hosts must end up with. */
export interface Bundle {
  manifest: BundleManifest;
  /** The file exactly as it will be written on hosts. */
  content: string;
  /** sha256 (hex) of `content`: the bytes hosts must end up with. Not the bundle's identity on its own. */
  sha256: string;
  /**
   * sha256 (hex) of the manifest as checked (its JSON form): where the file goes and how it is reloaded.
   * Two bundles with byte-identical files but different targets differ here.
   */
  manifestSha256: string;
  /** The file read in its format (the string itself for plain files). */
  config: unknown;
}

export interface BundleCheckOptions {
  /** Directories bundles may write under, from Marshal's configuration, e.g. `['/etc/marshal-apps']`. */
  allowedRoots: readonly string[];
}

const invalid = (name: string, what: string, issues: FieldIssue[]): ValidationError =>
  new ValidationError(`Bundle "${name}": ${what}`, issues, {
    code: ErrorCode.InvalidBundle,
    context: { bundle: name },
  });

/** Reads and checks `bundle.yaml`. `name` is the bundle's directory name, which the manifest must repeat. */
export function parseManifest(name: string, text: string, options: BundleCheckOptions): BundleManifest {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0)
    throw invalid(
      name,
      'bundle.yaml is not valid YAML',
      doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0] ?? e.message })),
    );
  const parsed = BundleManifest.safeParse(doc.toJS());
  if (!parsed.success)
    throw ValidationError.fromZod(`Bundle "${name}": bundle.yaml is invalid`, parsed.error, {
      code: ErrorCode.InvalidBundle,
      context: { bundle: name },
    });
  const manifest = parsed.data;
  const issues: FieldIssue[] = [];
  if (manifest.name !== name)
    issues.push({
      path: 'name',
      message: `must match the bundle's directory name "${name}", found "${manifest.name}"`,
    });
  const outside = outsideAllowedRoots(manifest.file.target, options.allowedRoots);
  if (outside) issues.push({ path: 'file.target', message: outside });
  if (issues.length > 0) throw invalid(name, 'bundle.yaml is invalid', issues);
  return manifest;
}

/** Checks the config file against the manifest's format, schema and rules; every issue names its field. */
export function checkBundleFile(manifest: BundleManifest, content: string): Bundle {
  const source = manifest.file.source;
  const what = `${source} is invalid`;
  const parsed = parseConfig(content, manifest.file.format);
  if (!parsed.ok) throw invalid(manifest.name, what, parsed.issues);
  const issues: FieldIssue[] = [];
  if (manifest.schema)
    issues.push(
      ...checkAgainstSchema(parsed.value, manifest.schema, { coerceScalars: manifest.file.format === 'ini' }),
    );
  // Rules assume the shapes the schema promises; on a malformed file they would only add noise.
  if (issues.length === 0) issues.push(...checkSemanticRules(parsed.value, manifest.rules));
  if (issues.length > 0) throw invalid(manifest.name, what, issues);
  return {
    manifest,
    content,
    sha256: sha256Hex(content),
    manifestSha256: sha256Hex(JSON.stringify(manifest)),
    config: parsed.value,
  };
}

/** What a bundle is: name, version, manifest and content together. Content alone aliases bundles. */
export interface BundleIdentity {
  name: string;
  version: string;
  manifestSha256: string;
  sha256: string;
}

export function bundleIdentity(bundle: Bundle): BundleIdentity {
  const { manifest } = bundle;
  return {
    name: manifest.name,
    version: manifest.version,
    manifestSha256: bundle.manifestSha256,
    sha256: bundle.sha256,
  };
}

/** One string for an identity, as a cache or map key. */
export function bundleIdentityKey(id: BundleIdentity): string {
  return JSON.stringify([id.name, id.version, id.manifestSha256, id.sha256]);
}

export function sha256Hex(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
