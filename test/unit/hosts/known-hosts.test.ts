import { createHmac } from 'node:crypto';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import {
  blobKeyType,
  entryMatches,
  fingerprintSha256,
  KnownHostsIndex,
  type HostKeyVerdict,
  type KnownHostEntry,
  knownHostsName,
  parseKnownHosts,
  verifyHostKey,
} from '../../../src/hosts/known-hosts.js';

function newKey(): { line: string; blob: Buffer } {
  const pub = ssh2.utils.generateKeyPairSync('ed25519').public.split(' ');
  return { line: `${pub[0]} ${pub[1]}`, blob: Buffer.from(pub[1]!, 'base64') };
}

function hashed(name: string): string {
  const salt = Buffer.from('0123456789abcdef0123');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  const a = newKey();
  const b = newKey();
  const c = newKey();

  it('trusts a plain entry and reports a changed key for the same name', () => {
    const { entries } = parseKnownHosts(`# comment\n\n127.1.2.3 ${a.line}\n`);
    expect(verifyHostKey(entries, ['127.1.2.3'], a.blob)).toEqual({ status: 'trusted', line: 3 });
    expect(verifyHostKey(entries, ['127.1.2.3'], b.blob)).toEqual({ status: 'changed', knownLines: [3] });
    expect(verifyHostKey(entries, ['127.9.9.9'], a.blob)).toEqual({ status: 'unknown' });
  });

  it('matches [host]:port only on that port', () => {
    const { entries } = parseKnownHosts(`[127.1.2.3]:2222 ${a.line}\n`);
    expect(knownHostsName('127.1.2.3', 2222)).toBe('[127.1.2.3]:2222');
    expect(verifyHostKey(entries, [knownHostsName('127.1.2.3', 2222)], a.blob).status).toBe('trusted');
    expect(verifyHostKey(entries, [knownHostsName('127.1.2.3', 22)], a.blob).status).toBe('unknown');
  });

  it('matches hashed names without revealing them', () => {
    const { entries } = parseKnownHosts(`${hashed('web-1.example')} ${a.line}\n`);
    expect(verifyHostKey(entries, ['web-1.example'], a.blob).status).toBe('trusted');
    expect(verifyHostKey(entries, ['web-2.example'], a.blob).status).toBe('unknown');
  });

  it('matches comma-separated names, wildcards and negations', () => {
    const { entries } = parseKnownHosts(
      `web-1,127.1.2.3 ${a.line}\n*.db.example,!secret.db.example ${b.line}\n`,
    );
    expect(verifyHostKey(entries, ['127.1.2.3'], a.blob).status).toBe('trusted');
    expect(verifyHostKey(entries, ['web-1'], a.blob).status).toBe('trusted');
    expect(verifyHostKey(entries, ['pg.db.example'], b.blob).status).toBe('trusted');
    expect(entryMatches(entries[1]!, 'secret.db.example')).toBe(false);
  });

  it('refuses a @revoked key even when another line trusts it', () => {
    const { entries } = parseKnownHosts(`127.1.2.3 ${a.line}\n@revoked * ${a.line}\n`);
    expect(verifyHostKey(entries, ['127.1.2.3'], a.blob)).toEqual({ status: 'revoked', line: 2 });
  });

  it('never trusts a @cert-authority line as a host key', () => {
    const { entries } = parseKnownHosts(`@cert-authority 127.1.2.3 ${c.line}\n`);
    expect(verifyHostKey(entries, ['127.1.2.3'], c.blob).status).toBe('unknown');
  });

  it('skips malformed lines and says why', () => {
    const { entries, skipped } = parseKnownHosts(
      `host-only\n@weird h ${a.line}\nh ssh-rsa ${a.line.split(' ')[1]}\nh ssh-ed25519 !!!\n`,
    );
    expect(entries).toHaveLength(0);
    expect(skipped.map((s) => s.line)).toEqual([1, 2, 3, 4]);
    expect(skipped[2]!.reason).toMatch(/not of type ssh-rsa/);
  });

  it('prints fingerprints as ssh-keygen does', () => {
    expect(fingerprintSha256(a.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('gives, looked up by name, the verdicts a pass over every line gives, on a file of every kind of line', () => {
    const keys = [a, b, c];
    const lines = [
      `127.1.2.3,WEB-1 ${a.line}`,
      `web-1 ${b.line}`,
      `*.db.example,!secret.db.example ${c.line}`,
      `${hashed('web-2.example')} ${b.line}`,
      `[127.1.2.3]:2222 ${c.line}`,
      `@revoked db-9 ${c.line}`,
      `@cert-authority *.example ${a.line}`,
      `web-? ${c.line}`,
      `secret.db.example ${a.line}`,
    ];
    const names = [
      '127.1.2.3',
      'web-1',
      'Web-1',
      'web-2',
      'web-2.example',
      'pg.db.example',
      'secret.db.example',
      '[127.1.2.3]:2222',
      'nowhere',
    ];
    // Every subset of the lines, in file order (a line's number stays its own), against every name pair.
    for (let mask = 1; mask < 1 << lines.length; mask += 7) {
      const text = lines.map((l, i) => (mask & (1 << i) ? l : '# left out')).join('\n');
      const { entries } = parseKnownHosts(text);
      const index = new KnownHostsIndex(entries);
      for (const first of names)
        for (const second of [undefined, ...names])
          for (const key of keys) {
            const asked = second ? [first, second] : [first];
            expect(index.verify(asked, key.blob)).toEqual(lineByLine(entries, asked, key.blob));
          }
    }
  });
});

/** The verdict by reading every line, as OpenSSH does: what the index must agree with. */
function lineByLine(
  entries: readonly KnownHostEntry[],
  names: readonly string[],
  key: Buffer,
): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const forHost = entries.filter((e) => e.marker === null && names.some((n) => entryMatches(e, n)));
  const trusted = forHost.find((e) => e.key.equals(key));
  if (trusted) return { status: 'trusted', line: trusted.line };
  const sameType = forHost.filter((e) => e.keyType === blobKeyType(key));
  if (sameType.length > 0) return { status: 'changed', knownLines: sameType.map((e) => e.line) };
  if (forHost.length > 0) return { status: 'changed', knownLines: forHost.map((e) => e.line) };
  return { status: 'unknown' };
}
