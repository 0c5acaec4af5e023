import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = resolve('deploy/prometheus');
const promtool = (args: string[], cwd = DIR) => spawnSync('promtool', args, { cwd, encoding: 'utf8' });

/** Issue #15: the alert rules Marshal ships are valid and fire (and stay quiet) as their tests say. */
describe('deploy/prometheus alert rules', () => {
  it('pass promtool check rules', () => {
    const r = promtool(['check', 'rules', 'marshal-alerts.yml']);
    expect(r.stderr + r.stdout).toContain('SUCCESS: 4 rules found');
    expect(r.status).toBe(0);
  });

  it('pass their promtool unit tests (stuck run, long approval, Slack 429s, unreachable hosts)', () => {
    const r = promtool(['test', 'rules', 'marshal-alerts.test.yml']);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('the unit tests catch a broken rule: a stuck-run alert that ignores host progress fails them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'marshal-rules-'));
    try {
      const rules = readFileSync(join(DIR, 'marshal-alerts.yml'), 'utf8').replace(
        /\n\s*unless on \(\) sum\(increase\(marshal_host_step_duration_seconds_count\[30m\]\)\) > 0/,
        '',
      );
      expect(rules).not.toContain('marshal_host_step_duration_seconds_count[30m]');
      writeFileSync(join(dir, 'marshal-alerts.yml'), rules);
      writeFileSync(
        join(dir, 'marshal-alerts.test.yml'),
        readFileSync(join(DIR, 'marshal-alerts.test.yml'), 'utf8'),
      );
      const r = promtool(['test', 'rules', 'marshal-alerts.test.yml'], dir);
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain('MarshalRunStuck');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
