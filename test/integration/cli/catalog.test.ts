import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyCatalog } from '../../../src/osupgrade/index.js';
import { marshalCli } from '../../support/marshal-cli.js';

describe('marshal catalog keygen | sign | verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'marshal-catalog-'));
  const marshal = marshalCli(() => ({}));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a key pair, signs a catalog Marshal then accepts, and refuses it once changed', async () => {
    const prefix = join(dir, 'release-team');
    await marshal(['catalog', 'keygen', prefix]);
    expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
    await expect(marshal(['catalog', 'keygen', prefix])).rejects.toMatchObject({
      stderr: expect.stringMatching(/exists; choose another prefix/),
    });

    const file = join(dir, 'catalog.yaml');
    writeFileSync(
      file,
      [
        'catalog:',
        '  releases:',
        '    - name: debian-12.7',
        '      version: "12.7"',
        `      image: { url: "http://images.example/debian-12.7.img", sha256: "${'c'.repeat(64)}", sizeBytes: 1000 }`,
        '      certification:',
        '        by: release-team',
        '        at: 2026-11-20T10:00:00Z',
        '        checks: [system-validation, sample-application, traffic-replay]',
        '',
      ].join('\n'),
    );
    const signed = await marshal(['catalog', 'sign', file, '--key', `${prefix}.key`]);
    expect(signed.stdout).toMatch(/signed .*catalog\.yaml/);
    expect(
      verifyCatalog(readFileSync(file, 'utf8'), readFileSync(`${prefix}.pub`, 'utf8'), file).releases,
    ).toHaveLength(1);
    const listed = await marshal(['catalog', 'verify', file, '--public-key', `${prefix}.pub`]);
    expect(listed.stdout).toMatch(
      /signature valid, 1 release\(s\)\n {2}debian-12\.7 \(version 12\.7\): certified by release-team/,
    );

    writeFileSync(file, readFileSync(file, 'utf8').replace('12.7"', '12.8"'));
    await expect(marshal(['catalog', 'verify', file, '--public-key', `${prefix}.pub`])).rejects.toMatchObject(
      {
        code: 2,
        stderr: expect.stringMatching(/signature does not match its content/),
      },
    );
  }, 120_000);
});
