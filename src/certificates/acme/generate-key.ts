import { generateKeyPair, type KeyObject } from 'node:crypto';
import type { KeyType } from '../definition.js';

/** A new private key of the declared type, as PKCS#8 PEM. */
export async function generatePrivateKey(keyType: KeyType): Promise<string> {
  const key = await new Promise<KeyObject>((resolve, reject) => {
    const done = (err: Error | null, _publicKey: KeyObject, privateKey: KeyObject): void =>
      err ? reject(err) : resolve(privateKey);
    if (keyType.startsWith('rsa-')) generateKeyPair('rsa', { modulusLength: Number(keyType.slice(4)) }, done);
    else generateKeyPair('ec', { namedCurve: keyType === 'ecdsa-p384' ? 'P-384' : 'P-256' }, done);
  });
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** An ACME account key (ECDSA P-256, what ACME servers expect by default). */
export function generateAccountKey(): Promise<string> {
  return generatePrivateKey('ecdsa-p256');
}
