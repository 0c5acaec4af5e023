import forge from 'node-forge';

/**
 * What Node's `X509Certificate` does not expose on Node 20 and node-forge's certificate reader cannot give
 * for EC keys (it refuses any non-RSA public key): the signature algorithm and the subjectAltName entries,
 * read straight from the DER with forge's ASN.1 parser, which works for every key type.
 */
export interface DerFields {
  signatureAlgorithmOid: string;
  dnsNames: string[];
  ipAddresses: string[];
}

const SUBJECT_ALT_NAME = '2.5.29.17';
const asn1 = forge.asn1;

export function readDerFields(der: Buffer): DerFields {
  const root = asn1.fromDer(forge.util.createBuffer(der.toString('binary')), true);
  const [tbs, signatureAlgorithm] = children(root);
  const oidNode = children(signatureAlgorithm)[0];
  if (!oidNode || typeof oidNode.value !== 'string') throw new Error('no signature algorithm');
  const signatureAlgorithmOid = asn1.derToOid(forge.util.createBuffer(oidNode.value));

  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const extensions = children(tbs).find(
    (n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && Number(n.type) === 3,
  );
  for (const extension of extensions ? children(children(extensions)[0]) : []) {
    const parts = children(extension);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (!id || !value || typeof id.value !== 'string' || typeof value.value !== 'string') continue;
    if (asn1.derToOid(forge.util.createBuffer(id.value)) !== SUBJECT_ALT_NAME) continue;
    for (const name of children(asn1.fromDer(forge.util.createBuffer(value.value), true))) {
      if (name.tagClass !== asn1.Class.CONTEXT_SPECIFIC || typeof name.value !== 'string') continue;
      if (Number(name.type) === 2) dnsNames.push(name.value);
      else if (Number(name.type) === 7) ipAddresses.push(ipFromBytes(Buffer.from(name.value, 'binary')));
    }
  }
  return { signatureAlgorithmOid, dnsNames, ipAddresses };
}

function children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  if (!node || !Array.isArray(node.value)) throw new Error('not a certificate structure');
  return node.value;
}

/** Signature algorithms no longer safe for a certificate: collisions can be forged (SHA-1, MD5). */
export const WEAK_SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '1.3.14.3.2.29': 'sha1WithRSASignature',
};

function ipFromBytes(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}
