import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/bundles/bundle.js';
import {
  bundleCommand,
  diskSpaceCommand,
  fileStateCommand,
  parseFileState,
  restoreCommand,
} from '../../../src/bundles/remote-commands.js';
import { sidePaths } from '../../../src/bundles/target-path.js';
import { allowedRoots, rateLimiterManifest } from './fixtures.js';

const manifest = parseManifest('rate-limiter', rateLimiterManifest, { allowedRoots });

describe('remote commands', () => {
  it('quotes every manifest argument and puts the file where {file} stands', () => {
    const text = bundleCommand(manifest.commands.reload, "/etc/marshal-apps/rate-limiter/it's.yaml").text;
    expect(text).toBe(
      "'cp' '--' '/etc/marshal-apps/rate-limiter/it'\\''s.yaml' '/etc/marshal-apps/rate-limiter/loaded.yaml'",
    );
  });

  it('keeps an awk program one argument, shell metacharacters inert', () => {
    const text = bundleCommand(manifest.commands.check!, '/tmp/x; rm -rf /').text;
    expect(text.startsWith("'awk' '/\\t/ { printf")).toBe(true);
    expect(text.endsWith(" '/tmp/x; rm -rf /'")).toBe(true);
  });

  it('builds file, restore and df commands with -- before quoted paths', () => {
    expect(fileStateCommand('/etc/marshal-apps/a.yaml').text).toBe(
      "if [ -e '/etc/marshal-apps/a.yaml' ]; then sha256sum -- '/etc/marshal-apps/a.yaml'; else echo absent; fi",
    );
    expect(restoreCommand('/b', '/r', '/t').text).toBe("cp -p -- '/b' '/r' && mv -f -- '/r' '/t'");
    expect(diskSpaceCommand('/etc/marshal-apps/rate-limiter/rate-limiter.yaml').text).toBe(
      "df -Pk -- '/etc/marshal-apps/rate-limiter'",
    );
  });

  it('reads a checksum or "absent", and nothing else', () => {
    const sha = 'a'.repeat(64);
    expect(parseFileState(`${sha}  /etc/marshal-apps/a.yaml\n`)).toEqual({ exists: true, sha256: sha });
    expect(parseFileState('absent\n')).toEqual({ exists: false });
    expect(parseFileState('sha256sum: /x: Permission denied')).toBeUndefined();
  });

  it('names side files after the run, beside the target', () => {
    expect(sidePaths('/etc/marshal-apps/rl/rl.yaml', 'run:42')).toEqual({
      candidate: '/etc/marshal-apps/rl/.rl.yaml.marshal-new-run_42',
      backup: '/etc/marshal-apps/rl/rl.yaml.marshal-backup-run_42',
      restore: '/etc/marshal-apps/rl/.rl.yaml.marshal-restore-run_42',
    });
  });
});
