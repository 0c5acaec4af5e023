import { describe, expect, it } from 'vitest';
import { modernAlgorithms, nestedConnectionAlgorithms } from '../../../src/hosts/ssh/algorithms.js';
import { LEGACY_ONLY_SSHD_ALGORITHMS, renderSshdConfig } from '../../../src/local/fleet/sshd-config.js';

describe('modern algorithms', () => {
  it('offers no SHA-1 signatures or MACs, no group-exchange, no CBC', () => {
    const all = Object.values(modernAlgorithms()).flat() as string[];
    expect(all.length).toBeGreaterThan(10);
    for (const name of all) {
      expect(name).not.toMatch(/^ssh-rsa$|sha1|group-exchange|-cbc|^3des|arcfour|^ssh-dss/);
    }
  });
});

describe('algorithms inside a jump host channel', () => {
  it('offer every modern algorithm but chacha20-poly1305, whose JavaScript form shares state between connections', () => {
    const modern = modernAlgorithms();
    const nested = nestedConnectionAlgorithms();
    expect(nested.cipher).toEqual((modern.cipher as string[]).filter((c) => !c.startsWith('chacha20')));
    expect(nested.cipher).toContain('aes256-gcm@openssh.com');
    expect({ ...nested, cipher: modern.cipher }).toEqual(modern);
  });
});

describe('fleet sshd_config', () => {
  const base = { listenAddress: '127.9.9.1', port: 22, hostKeyPath: '/k', authorizedKeysPath: '/a' };

  it('is sized for load and allows public keys only', () => {
    const text = renderSshdConfig(base);
    for (const line of [
      'ListenAddress 127.9.9.1:22',
      'MaxStartups 1000:30:2000',
      'MaxSessions 100',
      'UseDNS no',
      'LogLevel ERROR',
      'PasswordAuthentication no',
      'AuthenticationMethods publickey',
      'AllowAgentForwarding no',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('lets overrides replace algorithms (for the legacy-only refusal test)', () => {
    const text = renderSshdConfig({ ...base, overrides: LEGACY_ONLY_SSHD_ALGORITHMS });
    expect(text).toContain('MACs hmac-sha1\n');
    expect(text.match(/^MACs /gm)).toHaveLength(1);
  });
});
