import { structuredPatch } from 'diff';
import { scrubSecrets } from '../log/index.js';

/**
 * What pushing a file would change on one host, short enough for a dry-run reply or an approval card:
 * counts of added and removed lines and the first few changed lines (secrets scrubbed, long lines cut).
 */
export interface DiffSummary {
  /** The host has no file yet. */
  created: boolean;
  identical: boolean;
  added: number;
  removed: number;
  /** First changed lines, each `+ text`, `- text` or `@@ line N`. */
  preview: string[];
  /** One line: `+3 −1 lines`, `new file (42 lines)`, `no change`. */
  headline: string;
}

export interface DiffSummaryOptions {
  previewLines?: number;
  maxLineLength?: number;
}

export function summarizeDiff(
  before: string | undefined,
  after: string,
  options: DiffSummaryOptions = {},
): DiffSummary {
  const previewLines = options.previewLines ?? 8;
  const maxLineLength = options.maxLineLength ?? 120;
  const patch = structuredPatch('current', 'new', before ?? '', after, undefined, undefined, { context: 0 });
  let added = 0;
  let removed = 0;
  const preview: string[] = [];
  for (const hunk of patch.hunks) {
    if (preview.length < previewLines) preview.push(`@@ line ${hunk.newStart}`);
    for (const line of hunk.lines) {
      const sign = line[0];
      if (sign !== '+' && sign !== '-') continue; // "\ No newline at end of file"
      if (sign === '+') added++;
      else removed++;
      if (preview.length < previewLines)
        preview.push(`${sign} ${cut(scrubSecrets(line.slice(1)), maxLineLength)}`);
    }
  }
  const created = before === undefined;
  const identical = !created && added === 0 && removed === 0;
  const headline = created
    ? `new file (${added} lines)`
    : identical
      ? 'no change'
      : `+${added} −${removed} lines`;
  return { created, identical, added, removed, preview, headline };
}

/** Text form for dry runs and logs: the headline, then the preview indented. */
export function formatDiffSummary(summary: DiffSummary): string {
  const more =
    summary.added + summary.removed > summary.preview.filter((l) => !l.startsWith('@@')).length
      ? '\n  …'
      : '';
  return (
    [summary.headline, ...summary.preview.map((l) => `  ${l}`)].join('\n') +
    (summary.preview.length ? more : '')
  );
}

function cut(line: string, max: number): string {
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
