import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/bundles/bundle.js';
import { ErrorCode, ValidationError } from '../../../src/errors/index.js';
import { thrownBy } from '../../support/refusal.js';
import { allowedRoots, rateLimiterManifest } from './fixtures.js';

function issuesOf(text: string, name = 'rate-limiter'): { path: string; message: string }[] {
  const err = thrownBy(ValidationError, () => parseManifest(name, text, { allowedRoots }));
  expect(err.code).toBe(ErrorCode.InvalidBundle);
  return [...err.issues];
}

describe('bundle manifest', () => {
  it('accepts the shipped rate-limiter manifest and reads its mode, commands and requirements', () => {
    const manifest = parseManifest('rate-limiter', rateLimiterManifest, { allowedRoots });
    expect(manifest.version).toBe('1.4.0');
    expect(manifest.file.mode).toBe(0o644);
    expect(manifest.commands.reload.argv[0]).toBe('cp');
    expect(manifest.commands.health).toMatchObject({ attempts: 3, intervalSeconds: 2 });
    expect(manifest.requirements).toEqual({
      os: { id: ['debian'], minVersion: '12' },
      kernel: { minVersion: '5.15' },
      disk: { minFreeMb: 50 },
    });
  });

  it('refuses a target path with ".." and names file.target', () => {
    const issues = issuesOf(
      rateLimiterManifest.replace(
        '/etc/marshal-apps/rate-limiter/rate-limiter.yaml',
        '/etc/marshal-apps/../passwd',
      ),
    );
    expect(issues).toEqual([{ path: 'file.target', message: 'must not contain "." or ".." segments' }]);
  });

  it('refuses a target path outside the allowed roots', () => {
    const issues = issuesOf(
      rateLimiterManifest.replace(
        '/etc/marshal-apps/rate-limiter/rate-limiter.yaml',
        '/etc/nginx/nginx.conf',
      ),
    );
    expect(issues).toEqual([
      {
        path: 'file.target',
        message: expect.stringContaining('must be under one of the allowed roots (/etc/marshal-apps)'),
      },
    ]);
  });

  it('refuses a relative target path', () => {
    const issues = issuesOf(
      rateLimiterManifest.replace('/etc/marshal-apps/rate-limiter/rate-limiter.yaml', 'rate-limiter.yaml'),
    );
    expect(issues[0]).toEqual({
      path: 'file.target',
      message: 'must be an absolute path, found "rate-limiter.yaml"',
    });
  });

  it('refuses a world-writable mode', () => {
    expect(issuesOf(rateLimiterManifest.replace("mode: '0644'", "mode: '0666'"))).toEqual([
      { path: 'file.mode', message: 'must not be world-writable' },
    ]);
  });

  it('refuses a manifest whose name differs from its directory', () => {
    expect(issuesOf(rateLimiterManifest, 'rate-limiter-v2')).toEqual([
      {
        path: 'name',
        message: expect.stringContaining('must match the bundle\'s directory name "rate-limiter-v2"'),
      },
    ]);
  });

  it('refuses a command written as one shell string', () => {
    const issues = issuesOf(
      rateLimiterManifest.replace(
        / {2}reload:\n {4}argv: \[.*\]/,
        '  reload:\n    argv: ["systemctl reload app"]',
      ),
    );
    expect(issues).toEqual([
      { path: 'commands.reload.argv', message: expect.stringContaining('write the command as a list') },
    ]);
  });

  it('refuses owners that are not Slack ids, naming the list index', () => {
    const issues = issuesOf(
      rateLimiterManifest.replace('owners: [U024BE7LH, S0614TZR7]', 'owners: [U024BE7LH, "@gateway-oncall"]'),
    );
    expect(issues).toEqual([{ path: 'owners[1]', message: expect.stringContaining('Slack user id') }]);
  });

  it('refuses an unparsable semantic rule at its exact index', () => {
    const issues = issuesOf(rateLimiterManifest.replace("rule: 'min <= max'", "rule: 'min is below max'"));
    expect(issues).toEqual([
      { path: 'rules[2].rule', message: expect.stringContaining('is not "[field] <op> <value>"') },
    ]);
  });

  it('refuses an unknown manifest field instead of ignoring it', () => {
    const issues = issuesOf(`${rateLimiterManifest}\nreload_command: systemctl reload app\n`);
    expect(issues).toEqual([{ path: '', message: expect.stringContaining('reload_command') }]);
  });

  it('requires a schema for structured formats', () => {
    const withoutSchema = rateLimiterManifest.replace(/\nschema:[\s\S]*?\nrules:/, '\nrules:');
    expect(issuesOf(withoutSchema)).toEqual([
      { path: 'schema', message: 'is required for a yaml file (only plain files go unchecked)' },
    ]);
  });

  it('refuses a schema whose required key is not among its properties', () => {
    const issues = issuesOf(
      rateLimiterManifest.replace(
        'required: [version, limits, pools, upstreams]',
        'required: [version, limits, pools, upstream]',
      ),
    );
    expect(issues).toEqual([
      { path: 'schema.required[3]', message: '"upstream" is required but not listed in properties' },
    ]);
  });
});

describe('bundle manifest commands', () => {
  it('names the offending argument when a command is not a list of strings', () => {
    const issues = issuesOf(rateLimiterManifest.replace('argv: [cp, --,', 'argv: [true, --,'));
    expect(issues).toEqual([
      { path: 'commands.reload.argv[0]', message: expect.stringContaining('expected string') },
    ]);
  });
});
