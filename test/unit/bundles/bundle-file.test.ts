import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkBundleFile, parseManifest } from '../../../src/bundles/bundle.js';
import type { BundleManifest } from '../../../src/bundles/manifest.js';
import { ErrorCode, ValidationError, type FieldIssue } from '../../../src/errors/index.js';
import { thrownBy } from '../../support/refusal.js';
import { allowedRoots, rateLimiterConfig, rateLimiterManifest } from './fixtures.js';

const manifest = parseManifest('rate-limiter', rateLimiterManifest, { allowedRoots });

function issuesOf(content: string, m: BundleManifest = manifest): FieldIssue[] {
  const err = thrownBy(ValidationError, () => checkBundleFile(m, content));
  expect(err.code).toBe(ErrorCode.InvalidBundle);
  return [...err.issues];
}

describe('bundle config file', () => {
  it('accepts the shipped config and identifies it by the sha256 of its exact bytes', () => {
    const bundle = checkBundleFile(manifest, rateLimiterConfig);
    expect(bundle.sha256).toBe(createHash('sha256').update(rateLimiterConfig).digest('hex'));
    expect(bundle.config).toMatchObject({ limits: { login: { rate: 5, per: 'minute' } } });
  });

  it('refuses a rate of 0 with the route, the rule and the operator message', () => {
    const issues = issuesOf(rateLimiterConfig.replace('rate: 5\n', 'rate: 0\n'));
    expect(issues).toEqual([
      {
        path: 'limits.login.rate',
        message: 'a rate limit of 0 blocks all traffic on the route (rule "> 0", found 0)',
      },
    ]);
  });

  it('refuses a pool whose min exceeds its max, naming both fields', () => {
    const issues = issuesOf(rateLimiterConfig.replace('min: 2\n', 'min: 20\n'));
    expect(issues).toEqual([
      {
        path: 'pools.search.min',
        message:
          'a pool cannot keep more idle connections than its maximum (rule "min <= max", found 20 and max = 16)',
      },
    ]);
  });

  it('skips a cross-field rule when the optional field is absent', () => {
    const noBurst = rateLimiterConfig.replace('    burst: 40\n', '');
    expect(() => checkBundleFile(manifest, noBurst)).not.toThrow();
  });

  it('reports schema errors at exact paths, list indexes included, and every one of them', () => {
    const broken = rateLimiterConfig
      .replace('per: minute', 'per: fortnight')
      .replace('url: http://10.20.0.12:8080', 'url: 10.20.0.12:8080')
      .replace('weight: 1\n', 'weight: 1\n    retries: 3\n');
    expect(issuesOf(broken)).toEqual([
      { path: 'limits.login.per', message: 'must be one of second, minute, hour, found "fortnight"' },
      { path: 'upstreams[1].url', message: expect.stringContaining('must match the pattern') },
      {
        path: 'upstreams[2].retries',
        message: 'is not a known field (allowed here: name, url, pool, weight)',
      },
    ]);
  });

  it('reports a missing required field and a wrong type', () => {
    const broken = rateLimiterConfig.replace(/\nupstreams:[\s\S]*$/, '\n').replace('max: 64', 'max: "64"');
    expect(issuesOf(broken)).toEqual([
      { path: 'upstreams', message: 'is required' },
      { path: 'pools.default.max', message: 'must be a number, found the string "64"' },
    ]);
  });

  it('reports YAML syntax and duplicate keys with line numbers', () => {
    const issues = issuesOf(rateLimiterConfig.replace('  login:\n', '  public-api:\n'));
    expect(issues[0]?.message).toMatch(/^YAML: Map keys must be unique at line \d+/);
  });

  it('reads INI files and coerces their strings to the schema types', () => {
    const ini = parseManifest(
      'cache',
      [
        'name: cache',
        'version: 0.1.0',
        'description: cache settings',
        'owners: [U024BE7LH]',
        'file: { source: cache.ini, format: ini, target: /etc/marshal-apps/cache/cache.ini }',
        'schema:',
        '  type: object',
        '  properties:',
        '    memory: { type: object, required: [limit_mb, evict], properties: { limit_mb: { type: integer, minimum: 16 }, evict: { type: boolean } } }',
        'rules: [{ path: memory.limit_mb, rule: "<= 4096", message: hosts have 8 GiB }]',
        'commands: { reload: [/bin/true] }',
      ].join('\n'),
      { allowedRoots },
    );
    expect(checkBundleFile(ini, '[memory]\nlimit_mb = 512\nevict = true\n').config).toEqual({
      memory: { limit_mb: '512', evict: true },
    });
    expect(issuesOf('[memory]\nlimit_mb = lots\nevict = true\n', ini)).toEqual([
      { path: 'memory.limit_mb', message: 'must be a number, found the string "lots"' },
    ]);
    expect(issuesOf('[memory]\nlimit_mb = 8192\nevict = true\n', ini)).toEqual([
      { path: 'memory.limit_mb', message: 'hosts have 8 GiB (rule "<= 4096", found "8192")' },
    ]);
  });
});
