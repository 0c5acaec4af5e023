import { describe, expect, it } from 'vitest';
import { expandHostPattern } from '../../../../src/inventory/ansible/host-pattern.js';

describe('Ansible host patterns', () => {
  it('keeps leading zeros as a width', () => {
    expect(expandHostPattern('web[01:03].example.com').names).toEqual([
      'web01.example.com',
      'web02.example.com',
      'web03.example.com',
    ]);
    expect(expandHostPattern('web[08:11]').names).toEqual(['web08', 'web09', 'web10', 'web11']);
  });

  it('counts without padding when the begin has no leading zero', () => {
    expect(expandHostPattern('node[9:11]').names).toEqual(['node9', 'node10', 'node11']);
    expect(expandHostPattern('node[:2]').names).toEqual(['node0', 'node1', 'node2']);
  });

  it('expands letters and steps', () => {
    expect(expandHostPattern('db-[a:f]').names).toEqual(['db-a', 'db-b', 'db-c', 'db-d', 'db-e', 'db-f']);
    expect(expandHostPattern('n[0:10:2]').names).toEqual(['n0', 'n2', 'n4', 'n6', 'n8', 'n10']);
    expect(expandHostPattern('db[00:10:5]').names).toEqual(['db00', 'db05', 'db10']);
    expect(expandHostPattern('x[a:e:2]').names).toEqual(['xa', 'xc', 'xe']);
  });

  it('expands several ranges as a product, first range outermost', () => {
    expect(expandHostPattern('r[1:2]-[a:b]').names).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b']);
  });

  it('takes a port after the pattern, and from bracketed IPv6', () => {
    expect(expandHostPattern('web[1:2]:2222')).toEqual({ names: ['web1', 'web2'], port: 2222 });
    expect(expandHostPattern('[2001:db8::1]:2200')).toEqual({ names: ['2001:db8::1'], port: 2200 });
    expect(expandHostPattern('2001:db8::1')).toEqual({ names: ['2001:db8::1'], port: undefined });
  });

  it('refuses malformed ranges with a reason', () => {
    expect(() => expandHostPattern('web[01:3]')).toThrow(/same width/);
    expect(() => expandHostPattern('web[1:2:3:4]')).toThrow(/begin:end/);
    expect(() => expandHostPattern('web[f:a]')).toThrow(/begin <= end/);
    expect(() => expandHostPattern('web[1:]')).toThrow(/no end/);
    expect(() => expandHostPattern('web[1:x]')).toThrow(/numbers or single letters/);
    expect(() => expandHostPattern('web[1:5:0]')).toThrow(/positive integer/);
    expect(() => expandHostPattern('web[1:3')).toThrow(/never closes/);
    expect(() => expandHostPattern('web:')).toThrow(/no port/);
  });

  it('refuses a range that would build an absurd number of hosts', () => {
    expect(() => expandHostPattern('h[0:99999999]')).toThrow(/more than 10000/);
    expect(() => expandHostPattern('h[0:999]-[0:999]')).toThrow(/more than 10000/);
  });
});
