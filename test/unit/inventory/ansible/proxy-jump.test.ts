import { describe, expect, it } from 'vitest';
import { findProxyJump } from '../../../../src/inventory/ansible/proxy-jump.js';

describe('jump hosts from Ansible SSH arguments', () => {
  it('finds ProxyJump in its common spellings', () => {
    for (const args of [
      '-o ProxyJump=bastion',
      '-oProxyJump=bastion',
      "-o 'ProxyJump bastion'",
      '-J bastion',
      '-Jbastion',
      '-o proxyjump=bastion -o StrictHostKeyChecking=yes',
    ]) {
      expect(findProxyJump([args])).toEqual({ kind: 'jump', target: 'bastion' });
    }
  });

  it('reads a plain ssh -W ProxyCommand', () => {
    expect(findProxyJump([`-o ProxyCommand="ssh -W %h:%p -q deploy@bastion"`])).toEqual({
      kind: 'jump',
      target: 'deploy@bastion',
    });
  });

  it('reports what it cannot map instead of guessing', () => {
    expect(findProxyJump(['-J a,b']).kind).toBe('unclear');
    expect(findProxyJump([`-o ProxyCommand="nc -X 5 -x proxy:1080 %h %p"`]).kind).toBe('unclear');
    expect(findProxyJump(['-J a', '-J b'])).toEqual({
      kind: 'unclear',
      reason: 'several jump hosts are configured: a, b',
    });
  });

  it('finds nothing where no jump is configured', () => {
    expect(findProxyJump(['-o StrictHostKeyChecking=no'])).toEqual({ kind: 'none' });
    expect(findProxyJump(['-o ProxyJump=none'])).toEqual({ kind: 'none' });
    expect(findProxyJump([])).toEqual({ kind: 'none' });
  });
});
