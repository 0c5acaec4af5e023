import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../../../src/hosts/executor.js';
import { commandsFor } from '../../../../src/hosts/blocks/services.js';

const result = (stdout: string, exitCode = 0): ExecResult => ({
  host: 'h',
  exitCode,
  signal: null,
  stdout,
  stderr: '',
  truncated: false,
  durationMs: 1,
});

describe('service managers: the commands sent and the status read back', () => {
  const systemd = commandsFor({ kind: 'systemd' });
  const runit = commandsFor({ kind: 'runit', serviceDir: '/etc/service' });

  it('systemd: systemctl with the unit after --, status from systemctl show', () => {
    expect(systemd.act('restart', 'nginx.service').text).toBe("systemctl 'restart' -- 'nginx.service'");
    expect(systemd.status('nginx.service').text).toBe(
      "systemctl show --property=ActiveState,SubState,MainPID,InvocationID -- 'nginx.service'",
    );
    expect(
      systemd.parse(
        'nginx.service',
        result(
          'ActiveState=active\nSubState=running\nMainPID=812\nInvocationID=6f1c0e5a9b2d4c7e8f90a1b2c3d4e5f6\n',
        ),
      ),
    ).toEqual({
      unit: 'nginx.service',
      active: true,
      state: 'active (running)',
      pid: 812,
      instance: '6f1c0e5a9b2d4c7e8f90a1b2c3d4e5f6',
    });
    expect(
      systemd.parse(
        'nginx.service',
        result('ActiveState=failed\nSubState=failed\nMainPID=0\nInvocationID=\n'),
      ),
    ).toEqual({ unit: 'nginx.service', active: false, state: 'failed (failed)', pid: null, instance: null });
    expect(systemd.parse('x', result('', 1))).toBeUndefined();
  });

  it('runit: sv on the service directory, status from sv status', () => {
    expect(runit.act('restart', 'web').text).toBe("sv -w 30 'restart' '/etc/service/web'");
    expect(runit.act('stop', 'web').text).toBe("sv -w 30 'down' '/etc/service/web'");
    expect(
      runit.parse('web', result('run: /etc/service/web: (pid 4242) 17s; run: log: (pid 40) 90s\n')),
    ).toEqual({
      unit: 'web',
      active: true,
      state: 'run',
      pid: 4242,
      instance: '4242',
    });
    expect(runit.parse('web', result('down: /etc/service/web: 3s, normally up\n', 3))).toEqual({
      unit: 'web',
      active: false,
      state: 'down',
      pid: null,
      instance: null,
    });
    expect(
      runit.parse('web', result('fail: /etc/service/web: unable to change to service directory\n', 1)),
    ).toBeUndefined();
  });
});
