import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SealedDataError } from '../errors/sealed-data-error.js';
import { SECRET_KEY_ENV, SecretKeyMissingError } from '../errors/secret-key-missing-error.js';

const VERSION = 'msb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Private keys at rest: AES-256-GCM under a key from the environment (MARSHAL_SECRET_KEY), so a key
 * between two tasks of a run sits in Redis only as ciphertext. Each seal has a fresh random nonce; the
 * `purpose` (e.g. `certificate:www-example:key`) is authenticated with it, so a sealed value moved to
 * another purpose does not open. Output: `msb1.<base64url nonce|tag|ciphertext>`.
 */
export class SealedBox {
  private constructor(private readonly key: Buffer) {}

  /** Reads MARSHAL_SECRET_KEY: 32 bytes as base64 (44 characters) or hex (64). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SealedBox {
    const text = env[SECRET_KEY_ENV]?.trim();
    if (!text) throw new SecretKeyMissingError('is not set');
    const key = /^[0-9a-fA-F]{64}$/.test(text)
      ? Buffer.from(text, 'hex')
      : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
        ? Buffer.from(text, 'base64')
        : undefined;
    if (key?.length !== 32) throw new SecretKeyMissingError('is not 32 bytes in base64 or hex');
    return new SealedBox(key);
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}:${purpose}`));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string, purpose: string): string {
    const [version, payload, ...rest] = sealed.split('.');
    if (version !== VERSION || payload === undefined || rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(payload))
      throw new SealedDataError(purpose, `not a sealed value (expected "${VERSION}.<base64url>")`);
    const bytes = Buffer.from(payload, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES)
      throw new SealedDataError(purpose, 'too short to be a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${VERSION}:${purpose}`));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SealedDataError(
        purpose,
        'it was altered, sealed for another purpose, or sealed under another MARSHAL_SECRET_KEY',
      );
    }
  }
}
