import { describe, expect, it } from 'vitest';
import { evaluateTrigger, type TriggerVerdict } from '../../../src/engine/dag/trigger-rules.js';
import { TaskState } from '../../../src/engine/model/task-state.js';
import { TriggerRule } from '../../../src/engine/model/trigger-rule.js';

type Row = [TriggerRule, TaskState[], TriggerVerdict];

// Each row: rule, upstream states, what Airflow's scheduler would decide.
const table: Row[] = [
  // all_success: fails fast on failure, propagates skips, otherwise waits for every success.
  ['all_success', ['success', 'success'], 'run'],
  ['all_success', ['success', 'running'], 'wait'],
  ['all_success', ['success', 'up_for_retry'], 'wait'],
  ['all_success', ['failed', 'running'], 'upstream_failed'],
  ['all_success', ['upstream_failed', 'success'], 'upstream_failed'],
  ['all_success', ['skipped', 'success'], 'skip'],
  ['all_success', ['skipped', 'pending'], 'skip'],
  ['all_success', ['skipped', 'failed'], 'upstream_failed'],

  // all_failed: runs when everything failed; any success or skip makes it pointless.
  ['all_failed', ['failed', 'upstream_failed'], 'run'],
  ['all_failed', ['failed', 'failed'], 'run'],
  ['all_failed', ['failed', 'running'], 'wait'],
  ['all_failed', ['failed', 'success'], 'skip'],
  ['all_failed', ['skipped', 'failed'], 'skip'],
  ['all_failed', ['success', 'queued'], 'skip'],

  // all_done: waits for every upstream to settle, whatever the outcome.
  ['all_done', ['success', 'failed', 'skipped', 'upstream_failed'], 'run'],
  ['all_done', ['skipped', 'skipped'], 'run'],
  ['all_done', ['success', 'waiting'], 'wait'],
  ['all_done', ['failed', 'held'], 'wait'],

  // one_success: fires on the first success without waiting for the rest.
  ['one_success', ['success', 'running'], 'run'],
  ['one_success', ['failed', 'success'], 'run'],
  ['one_success', ['failed', 'running'], 'wait'],
  ['one_success', ['failed', 'skipped'], 'upstream_failed'],
  ['one_success', ['upstream_failed', 'failed'], 'upstream_failed'],
  ['one_success', ['skipped', 'skipped'], 'skip'],
  ['one_success', ['skipped', 'pending'], 'wait'],

  // one_failed: fires on the first failure; skipped once all are done with none failed.
  ['one_failed', ['failed', 'running'], 'run'],
  ['one_failed', ['upstream_failed', 'pending'], 'run'],
  ['one_failed', ['success', 'running'], 'wait'],
  ['one_failed', ['success', 'up_for_retry'], 'wait'],
  ['one_failed', ['success', 'success'], 'skip'],
  ['one_failed', ['success', 'skipped'], 'skip'],

  // none_failed: success or skipped everywhere.
  ['none_failed', ['success', 'skipped'], 'run'],
  ['none_failed', ['skipped', 'skipped'], 'run'],
  ['none_failed', ['success', 'running'], 'wait'],
  ['none_failed', ['failed', 'running'], 'upstream_failed'],
  ['none_failed', ['upstream_failed', 'success'], 'upstream_failed'],

  // none_failed_min_one_success: as none_failed, but all skipped propagates the skip.
  ['none_failed_min_one_success', ['success', 'skipped'], 'run'],
  ['none_failed_min_one_success', ['skipped', 'skipped'], 'skip'],
  ['none_failed_min_one_success', ['skipped', 'running'], 'wait'],
  ['none_failed_min_one_success', ['failed', 'skipped'], 'upstream_failed'],
  ['none_failed_min_one_success', ['upstream_failed', 'pending'], 'upstream_failed'],

  // none_skipped: any outcome but skipped, once all are done; a skip settles it at once.
  ['none_skipped', ['success', 'failed', 'upstream_failed'], 'run'],
  ['none_skipped', ['success', 'running'], 'wait'],
  ['none_skipped', ['skipped', 'running'], 'skip'],
  ['none_skipped', ['success', 'skipped'], 'skip'],

  // always: runs at once, whatever the upstream is doing.
  ['always', ['running', 'pending'], 'run'],
  ['always', ['failed', 'skipped'], 'run'],
  ['always', ['success'], 'run'],
];

describe('evaluateTrigger', () => {
  it.each(table)('%s with upstream %j → %s', (rule, upstream, expected) => {
    expect(evaluateTrigger(rule, upstream)).toBe(expected);
  });

  it.each(TriggerRule.options)('%s runs at once when the task has no upstream', (rule) => {
    expect(evaluateTrigger(rule, [])).toBe('run');
  });

  const notDone = TaskState.options.filter(
    (s) => !['success', 'failed', 'skipped', 'upstream_failed'].includes(s),
  );

  it.each(notDone)('treats %s as not done: all_done waits on it', (state) => {
    expect(evaluateTrigger('all_done', ['success', state])).toBe('wait');
  });

  it('covers every trigger rule in the table', () => {
    const covered = new Set(table.map(([rule]) => rule));
    expect([...covered].sort()).toEqual([...TriggerRule.options].sort());
  });

  it('never returns run for a rule whose requirement is unmet, over every pair of upstream states', () => {
    for (const rule of TriggerRule.options) {
      for (const a of TaskState.options) {
        for (const b of TaskState.options) {
          const verdict = evaluateTrigger(rule, [a, b]);
          const done = [a, b].every((s) => ['success', 'failed', 'skipped', 'upstream_failed'].includes(s));
          // Rules that need every upstream settled must never run early.
          if (
            [
              'all_success',
              'all_failed',
              'all_done',
              'none_failed',
              'none_failed_min_one_success',
              'none_skipped',
            ].includes(rule) &&
            verdict === 'run'
          ) {
            expect(done, `${rule} ran with [${a}, ${b}]`).toBe(true);
          }
          if (rule === 'one_success' && verdict === 'run') expect([a, b]).toContain('success');
        }
      }
    }
  });
});
