import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fileContentCommand,
  hostFactsCommand,
  parseFileContent,
  splitHostFacts,
} from '../../../src/bundles/remote-commands.js';

// A local /bin/sh reads the text exactly as the remote shell would.
const run = (text: string): string => execFileSync('/bin/sh', ['-c', text], { encoding: 'utf8' });

describe('combined remote commands', () => {
  it('reads a file checksum and text in one command, or "absent"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'marshal-rc-'));
    const path = join(dir, "it's.yaml");
    writeFileSync(path, 'a: 1\nb: 2'); // no trailing newline: the text comes back byte for byte
    const read = parseFileContent(run(fileContentCommand(path).text));
    expect(read?.state).toEqual({
      exists: true,
      sha256: createHash('sha256').update('a: 1\nb: 2').digest('hex'),
    });
    expect(read?.text).toBe('a: 1\nb: 2');
    expect(parseFileContent(run(fileContentCommand(join(dir, 'none')).text))).toEqual({
      state: { exists: false },
      text: undefined,
    });
    expect(parseFileContent('cat: permission denied\n')).toBeUndefined();
  });

  it('runs the three host probes in one command and splits their outputs', () => {
    const text = hostFactsCommand('/etc/marshal-apps/rate-limiter/rate-limiter.yaml').text;
    expect(text).toContain("df -Pk -- '/etc/marshal-apps/rate-limiter' || exit 93");
    const facts = splitHostFacts(run(text.replace("'/etc/marshal-apps/rate-limiter'", "'/'")));
    expect(facts?.kernelRelease).toBe(run('uname -r').trim());
    expect(facts?.osRelease).toBe(run('cat /etc/os-release'));
    expect(facts?.df.startsWith('Filesystem')).toBe(true);
    expect(splitHostFacts('5.15.0\n')).toBeUndefined();
  });
});
