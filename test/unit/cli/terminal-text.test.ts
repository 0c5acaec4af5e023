import { describe, expect, it } from 'vitest';
import { describeRun } from '../../../src/cli/describe-run.js';
import { terminalLog } from '../../../src/cli/terminal-log.js';
import { formatEventLine } from '../../../src/cli/terminal-progress.js';
import type { RunSnapshot } from '../../../src/engine/index.js';
import { renderEmoji, terminalShowsEmoji } from '../../../src/local/slack-standin/emoji.js';
import { renderThreadAsText } from '../../../src/local/slack-standin/render-thread.js';
import { counted } from '../../../src/text/counted.js';

const at = '2026-11-27T00:17:50.000Z';

/** A config push whose selector matched nothing: validation failed before any host was touched. */
const failedAtValidation: RunSnapshot = {
  runId: 'r1',
  workflow: 'config-push',
  requester: 'cli:ann',
  dryRun: false,
  state: 'failed',
  abortRequested: false,
  holdRequested: false,
  params: {},
  meta: {},
  createdAt: at,
  finishedAt: at,
  tasks: [
    { taskId: 'validation.bundle', state: 'success', attempt: 1 },
    {
      taskId: 'validation.targets',
      state: 'failed',
      attempt: 1,
      error: "selector 'role=nope' matches no host",
    },
    { taskId: 'pre-checks.hosts', state: 'upstream_failed', attempt: 0 },
    { taskId: 'rollback', state: 'success', attempt: 1 },
  ],
  gates: [],
  progress: [],
  targets: [],
};

describe('what marshal run prints', () => {
  it('a task failure once: in its progress line, and only named in the summary at the end', () => {
    const failure = formatEventLine({
      type: 'task.state',
      runId: 'r1',
      at,
      taskId: 'validation.targets',
      state: 'failed',
      attempt: 1,
      error: "selector 'role=nope' matches no host",
    });
    expect(failure).toBe("00:17:50   ✗ validation.targets failed: selector 'role=nope' matches no host");
    const summary = describeRun(failedAtValidation, { errorsShown: true });
    expect(summary).not.toContain('matches no host');
    expect(summary).toContain('tasks: 2 succeeded, 1 failed (validation.targets), 1 not run');
    // `marshal status` has printed nothing before: it shows the error.
    expect(describeRun(failedAtValidation)).toContain(
      "validation.targets — selector 'role=nope' matches no host",
    );
  });

  it('a rollback that had nothing to restore says so, not "success"; tasks that never ran say why', () => {
    const base = { type: 'task.state' as const, runId: 'r1', at, attempt: 1 };
    expect(
      formatEventLine({ ...base, taskId: 'rollback', state: 'success', note: 'nothing to roll back' }),
    ).toBe('00:17:50   ✓ rollback nothing to roll back');
    expect(formatEventLine({ ...base, taskId: 'pre-checks.hosts', state: 'upstream_failed' })).toBe(
      '00:17:50   · pre-checks.hosts not run (an upstream task failed)',
    );
  });

  it('log records as one readable line, no JSON or stack; task records left to the progress lines', () => {
    const lines: string[] = [];
    const log = terminalLog((l) => lines.push(l));
    log.write(
      JSON.stringify({
        level: 40,
        msg: 'Redis connection lost',
        err: { message: 'ECONNRESET', stack: 'Error: …\n    at x' },
      }),
    );
    log.write(
      JSON.stringify({ level: 40, msg: 'task failed', runId: 'r1', taskId: 't', err: { message: 'boom' } }),
    );
    expect(lines).toEqual(['marshal: warning: Redis connection lost: ECONNRESET']);
  });

  it('counts with the right noun', () => {
    expect(counted(1, 'host')).toBe('1 host');
    expect(counted(0, 'host')).toBe('0 hosts');
    expect(counted(2, 'more failed host')).toBe('2 more failed hosts');
    expect(counted(1200, 'host', 'hosts', (n) => n.toLocaleString('en'))).toBe('1,200 hosts');
  });
});

describe('a Slack thread drawn in a terminal', () => {
  it('shows emoji where the terminal can (a UTF-8 TTY), words where it cannot', () => {
    expect(terminalShowsEmoji({ LANG: 'en_US.UTF-8' }, true)).toBe(true);
    expect(terminalShowsEmoji({ LANG: 'C.utf8' }, true)).toBe(true);
    expect(terminalShowsEmoji({ LANG: 'en_US.UTF-8' }, false)).toBe(false);
    expect(terminalShowsEmoji({ LANG: 'C' }, true)).toBe(false);
    expect(terminalShowsEmoji({ LC_ALL: 'POSIX', LANG: 'en_US.UTF-8' }, true)).toBe(false);
    expect(renderEmoji(':white_check_mark: done, :green_heart:', true)).toBe('✅ done, :green_heart:');
    expect(renderEmoji(':white_check_mark: done, :green_heart:', false)).toBe('[ok] done, [green heart]');
  });

  it('keeps a header as written: never `:WHITE_CHECK_MARK:` or `IN 13S`', () => {
    const header = {
      ts: '1790000000.000100',
      edits: 0,
      text: '',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: ':white_check_mark: config-push succeeded in 13s' },
        },
      ],
    };
    const stored = header as unknown as Parameters<typeof renderThreadAsText>[0][number];
    expect(renderThreadAsText([stored], { emoji: true })).toContain('■ ✅ config-push succeeded in 13s');
    expect(renderThreadAsText([stored], { emoji: false })).toContain('■ [ok] config-push succeeded in 13s');
  });
});
