import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ErrorCode, ValidationError } from '../errors/index.js';
import { CertificateName, type CertificateDefinition } from './definition.js';
import {
  DEFINITION_FILE,
  parseCertificateDefinition,
  type CertificateDefinitionOptions,
} from './parse-definition.js';

/** The PEM texts of a "provided" certificate, as read from the team's files. The key is a secret. */
export interface ProvidedPems {
  certificatePem: string;
  keyPem: string;
  chainPem?: string;
}

/** Where workflows get certificate definitions from. Every load validates: a definition is never used unchecked. */
export interface CertificateDefinitionStore {
  load(name: string): Promise<CertificateDefinition>;
  /** The names of every declared certificate (the expiry radar scans them all). */
  names(): Promise<string[]>;
  /** The files of a certificate whose issuer is `provided`. */
  readProvided(definition: CertificateDefinition): Promise<ProvidedPems>;
}

/** Definitions kept as `<root>/<name>/certificate.yaml`, provided PEM files beside them (or at absolute paths). */
export class DirectoryCertificateStore implements CertificateDefinitionStore {
  constructor(
    private readonly root: string,
    private readonly options: CertificateDefinitionOptions,
  ) {}

  async load(name: string): Promise<CertificateDefinition> {
    // The name becomes a path: check it before it touches the file system.
    const checked = CertificateName.safeParse(name);
    if (!checked.success)
      throw ValidationError.fromZod(`Certificate name "${name}"`, checked.error, {
        code: ErrorCode.InvalidCertificateDefinition,
      });
    const text = await readText(join(this.root, name, DEFINITION_FILE), name, '');
    return parseCertificateDefinition(name, text, this.options);
  }

  async names(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && CertificateName.safeParse(e.name).success)
      .map((e) => e.name)
      .sort();
  }

  async readProvided(definition: CertificateDefinition): Promise<ProvidedPems> {
    const issuer = definition.issuer;
    if (issuer.type !== 'provided')
      throw new ValidationError(
        `Certificate "${definition.name}"`,
        [
          {
            path: 'issuer.type',
            message: `is "${issuer.type}"; only provided certificates have files to read`,
          },
        ],
        { code: ErrorCode.InvalidCertificateDefinition, context: { certificate: definition.name } },
      );
    const dir = join(this.root, definition.name);
    const at = (file: string): string => (isAbsolute(file) ? file : join(dir, file));
    const certificatePem = await readText(at(issuer.certificate), definition.name, 'issuer.certificate');
    const keyPem = await readText(at(issuer.key), definition.name, 'issuer.key');
    const chainPem = issuer.chain
      ? await readText(at(issuer.chain), definition.name, 'issuer.chain')
      : undefined;
    return chainPem === undefined ? { certificatePem, keyPem } : { certificatePem, keyPem, chainPem };
  }
}

async function readText(path: string, certificate: string, field: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ValidationError(
      `Certificate "${certificate}"`,
      [
        {
          path: field,
          message: missing ? `${path} does not exist` : `${path} cannot be read: ${(err as Error).message}`,
        },
      ],
      { code: ErrorCode.InvalidCertificateDefinition, context: { certificate } },
    );
  }
}
