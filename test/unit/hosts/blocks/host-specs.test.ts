import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Host } from '../../../../src/hosts/host.js';
import {
  HealthCheckSpec,
  hostLocks,
  lbServerOf,
  probeFor,
  serviceManagerOf,
} from '../../../../src/hosts/blocks/host-specs.js';

const host = (vars: Record<string, unknown> = {}) =>
  Host.parse({ name: 'web-01', address: '10.0.0.7', vars });

describe('what workflows read from operators and the inventory', () => {
  it('a --health spec is probed at the host address', () => {
    expect(probeFor(host(), 'http:8080')).toEqual({ kind: 'http', url: 'http://10.0.0.7:8080/' });
    expect(probeFor(host(), 'http:8080/healthz?full=1')).toEqual({
      kind: 'http',
      url: 'http://10.0.0.7:8080/healthz?full=1',
    });
    expect(probeFor(host(), 'tcp:22')).toEqual({ kind: 'tcp', host: '10.0.0.7', port: 22 });
  });

  it('refuses every --health that is not http:<port>[/path] or tcp:<port>', () => {
    for (const bad of ['https:443', 'http:', 'tcp:22/x', 'http:80 /x', 'http:80;reboot', 'udp:53', ''])
      expect(HealthCheckSpec.safeParse(bad).success, bad).toBe(false);
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ok = HealthCheckSpec.safeParse(text).success;
        expect(ok).toBe(/^(http:\d{1,5}(\/\S*)?|tcp:\d{1,5})$/.test(text));
        if (ok) expect(() => probeFor(host(), text)).not.toThrow();
      }),
    );
  });

  it('the service manager comes from the host var: systemd by default, runit with its directory', () => {
    expect(serviceManagerOf(host())).toEqual({ kind: 'systemd' });
    expect(serviceManagerOf(host({ service_manager: 'systemd' }))).toEqual({ kind: 'systemd' });
    expect(serviceManagerOf(host({ service_manager: 'runit:/etc/service' }))).toEqual({
      kind: 'runit',
      serviceDir: '/etc/service',
    });
    expect(() => serviceManagerOf(host({ service_manager: 'upstart' }))).toThrow(
      'web-01: inventory var service_manager is "upstart"; write systemd or runit:<service dir>',
    );
    expect(() => serviceManagerOf(host({ service_manager: 'runit:relative' }))).toThrow(
      /runit:<service dir>/,
    );
  });

  it('names a host in the balancer by its lb_server var or its name, and locks hosts by name', () => {
    expect(lbServerOf(host())).toBe('web-01');
    expect(lbServerOf(host({ lb_server: 'srv7' }))).toBe('srv7');
    expect(hostLocks(['a', 'b'])).toEqual(['host:a', 'host:b']);
  });
});
