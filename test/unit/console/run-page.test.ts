import { describe, expect, it } from 'vitest';
import type { RunSnapshot, TargetResult } from '../../../src/engine/model/run.js';
import { FIRST_HOST_ROWS, runPage } from '../../../src/console/render/run-page.js';

const target = (i: number, ok: boolean): TargetResult => ({
  target: `web-${String(i).padStart(4, '0')}`,
  ok,
  changed: ok,
  durationMs: 1200,
  stage: 'batch',
  batchIndex: 0,
  ...(ok ? { summary: 'wrote app.conf' } : { error: 'config test failed' }),
});

function page(targets: TargetResult[], allHosts = false): string {
  const run = {
    runId: 'r1',
    workflow: 'config-push',
    state: 'failed',
    requester: 'U0ALICE',
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:10:00.000Z',
    dryRun: false,
    gates: [],
    tasks: [],
    targets,
  } as unknown as RunSnapshot;
  const view = {
    run,
    def: undefined,
    allowed: { controls: [], gateId: undefined, notes: [] },
    csrf: 't',
    audit: [],
    thread: undefined,
  };
  return runPage(view, { allHosts }).text;
}

describe('the run page host grid', () => {
  const targets = Array.from({ length: 1000 }, (_, i) => target(i, i % 100 !== 7));

  it('paints the counts and the first rows, failed hosts first, with the rest a click away', () => {
    const text = page(targets);
    const rows = [...text.matchAll(/<tr data-host="([^"]+)" class="(\w+)"/g)];
    expect(rows).toHaveLength(FIRST_HOST_ROWS);
    expect(rows.slice(0, 10).every((r) => r[2] === 'failed')).toBe(true);
    expect(rows[10]![2]).toBe('ok');
    expect(text).toMatch(/<b id="hosts-done">1000<\/b> done · <b id="hosts-failed">10<\/b> failed/);
    expect(text).toContain('show all 1000');
  });

  it('shows every host when asked, and a small run whole', () => {
    expect([...page(targets, true).matchAll(/<tr data-host=/g)]).toHaveLength(1000);
    const small = page(targets.slice(0, 20));
    expect([...small.matchAll(/<tr data-host=/g)]).toHaveLength(20);
    expect(small).not.toContain('show all');
  });
});
