import { describe, expect, it } from 'vitest';
import { formatDiffSummary, summarizeDiff } from '../../../src/bundles/diff-summary.js';
import { rateLimiterConfig } from './fixtures.js';

describe('diff summary', () => {
  it('counts changed lines and shows the first ones with their line number', () => {
    const after = rateLimiterConfig.replace('rate: 5\n', 'rate: 10\n').replace('    weight: 1\n', '');
    const summary = summarizeDiff(rateLimiterConfig, after);
    expect(summary).toMatchObject({
      created: false,
      identical: false,
      added: 1,
      removed: 2,
      headline: '+1 −2 lines',
    });
    expect(summary.preview).toEqual([
      expect.stringMatching(/^@@ line \d+$/),
      '-     rate: 5',
      '+     rate: 10',
      expect.stringMatching(/^@@ line \d+$/),
      '-     weight: 1',
    ]);
  });

  it('says "no change" for an identical file and "new file" when the host has none', () => {
    expect(summarizeDiff(rateLimiterConfig, rateLimiterConfig)).toMatchObject({
      identical: true,
      headline: 'no change',
      preview: [],
    });
    const lines = rateLimiterConfig.split('\n').length - 1;
    expect(summarizeDiff(undefined, rateLimiterConfig)).toMatchObject({
      created: true,
      added: lines,
      removed: 0,
      headline: `new file (${lines} lines)`,
    });
  });

  it('caps the preview and says there is more', () => {
    const summary = summarizeDiff('', Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n'), {
      previewLines: 4,
    });
    expect(summary.added).toBe(50);
    expect(summary.preview).toHaveLength(4);
    expect(formatDiffSummary(summary).endsWith('\n  …')).toBe(true);
  });

  it('never shows secret values in the preview', () => {
    const summary = summarizeDiff(
      'upstream_token: old\n',
      'upstream_token: xoxb-1234567890-abcdef\npassword=hunter2\n',
    );
    expect(summary.preview.join('\n')).not.toMatch(/xoxb-1234567890|hunter2/);
  });
});
