import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatePrivateKey } from '../../../src/certificates/acme/generate-key.js';
import { SealedDataError } from '../../../src/certificates/errors/sealed-data-error.js';
import { SecretKeyMissingError } from '../../../src/certificates/errors/secret-key-missing-error.js';
import { SealedBox } from '../../../src/certificates/secrets/sealed-box.js';
import { pemBodies } from '../../../src/certificates/validation/pem.js';
import { ErrorCode } from '../../../src/errors/index.js';

const env = { MARSHAL_SECRET_KEY: randomBytes(32).toString('base64') };
const box = SealedBox.fromEnv(env);
const purpose = 'certificate:www-example:key';

describe('SealedBox', () => {
  it('seals a private key so that no part of its PEM body is left, and opens it back', async () => {
    for (const keyType of ['rsa-2048', 'ecdsa-p256'] as const) {
      const keyPem = await generatePrivateKey(keyType);
      const sealed = box.seal(keyPem, purpose);
      const body = pemBodies(keyPem)[0]!;
      expect(sealed).not.toContain('PRIVATE KEY');
      // No 12-character run of the key's base64 (nor of its base64url form) survives.
      for (let i = 0; i + 12 <= body.length; i += 6) {
        const run = body.slice(i, i + 12);
        expect(sealed).not.toContain(run);
        expect(sealed).not.toContain(run.replace(/\+/g, '-').replace(/\//g, '_'));
      }
      expect(sealed).toMatch(/^msb1\.[A-Za-z0-9_-]+$/);
      expect(box.open(sealed, purpose)).toBe(keyPem);
    }
  });

  it('property: any text round-trips, and two seals of it differ', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), fc.string({ maxLength: 40 }), (text, p) => {
        const a = box.seal(text, p);
        expect(box.open(a, p)).toBe(text);
        expect(box.seal(text, p)).not.toBe(a);
      }),
    );
  });

  it('refuses to open under another purpose, another key, or after any change', () => {
    const sealed = box.seal('secret', purpose);
    expect(() => box.open(sealed, 'certificate:other:key')).toThrow(SealedDataError);
    const other = SealedBox.fromEnv({ MARSHAL_SECRET_KEY: randomBytes(32).toString('hex') });
    expect(() => other.open(sealed, purpose)).toThrow('sealed under another MARSHAL_SECRET_KEY');
    const bytes = Buffer.from(sealed.slice('msb1.'.length), 'base64url');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (i, bit) => {
          const changed = Buffer.from(bytes);
          changed[i] = changed[i]! ^ bit;
          expect(() => box.open(`msb1.${changed.toString('base64url')}`, purpose)).toThrow(SealedDataError);
        },
      ),
    );
    expect(() => box.open('-----BEGIN PRIVATE KEY-----', purpose)).toThrow('not a sealed value');
  });

  it('needs MARSHAL_SECRET_KEY: a typed error when it is missing or not 32 bytes', () => {
    for (const value of [
      undefined,
      '',
      'short',
      randomBytes(16).toString('base64'),
      randomBytes(31).toString('hex'),
    ]) {
      let err: unknown;
      try {
        SealedBox.fromEnv({ MARSHAL_SECRET_KEY: value });
      } catch (e) {
        err = e;
      }
      expect(err, String(value)).toBeInstanceOf(SecretKeyMissingError);
      expect((err as SecretKeyMissingError).code).toBe(ErrorCode.SecretSealFailed);
      expect((err as Error).message).toContain('MARSHAL_SECRET_KEY');
    }
    expect(() => SealedBox.fromEnv({})).toThrow('MARSHAL_SECRET_KEY is not set');
  });
});
