const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;

/**
 * The certificates in a PEM text, in file order, each re-wrapped as a canonical PEM block. Text around
 * the blocks (openssl's `subject=` lines in a bundle) is ignored; a block with anything but base64 in it
 * is not a certificate and is left out, which the caller reports when it needed one.
 */
export function splitPemCertificates(text: string): string[] {
  const blocks: string[] = [];
  for (const match of text.matchAll(CERTIFICATE_BLOCK)) {
    const body = (match[1] ?? '').replace(/[\r\n]/g, '');
    if (body.length === 0) continue;
    blocks.push(`-----BEGIN CERTIFICATE-----\n${wrap(body)}\n-----END CERTIFICATE-----\n`);
  }
  return blocks;
}

function wrap(base64: string): string {
  return base64.match(/.{1,64}/g)?.join('\n') ?? '';
}

/** The base64 body of every PEM block in `text` (keys included): what must never leak into logs or Redis. */
export function pemBodies(text: string): string[] {
  return [...text.matchAll(/-----BEGIN [A-Z0-9 ]+-----\r?\n([\s\S]*?)-----END [A-Z0-9 ]+-----/g)].map((m) =>
    (m[1] ?? '').replace(/\s/g, ''),
  );
}
