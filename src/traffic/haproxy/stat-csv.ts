import { z } from 'zod';
import type { ParseResult } from './servers-state.js';

/**
 * `show stat` (CSV, header `# pxname,svname,…`) as data: the columns the drill reads, per proxy and
 * server. Rows of the FRONTEND and BACKEND aggregates are kept too (svname says which). Pure.
 */

const StatRow = z.object({
  pxname: z.string().min(1),
  svname: z.string().min(1),
  status: z.string(),
  /** Current sessions. */
  scur: z.coerce.number().int().min(0),
  /** Sessions since start: how many connections this server was sent. */
  stot: z.coerce.number().int().min(0),
  weight: z.coerce.number().int().min(0).catch(0),
  hrsp_2xx: z.coerce.number().int().min(0).catch(0),
  hrsp_5xx: z.coerce.number().int().min(0).catch(0),
});

export type StatRow = z.infer<typeof StatRow>;

export function parseStatCsv(text: string): ParseResult<StatRow[]> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const [header, ...rows] = lines;
  if (!header?.startsWith('# pxname,'))
    return {
      ok: false,
      problem: `expected the "# pxname,svname,…" header, got ${JSON.stringify(header ?? '')}`,
    };
  const columns = header.slice(2).split(',');
  const out: StatRow[] = [];
  for (const [i, row] of rows.entries()) {
    const fields = row.split(',');
    const parsed = StatRow.safeParse(Object.fromEntries(columns.map((c, j) => [c, fields[j] ?? ''])));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, problem: `stat line ${i + 1}: ${String(issue?.path[0])}: ${issue?.message}` };
    }
    out.push(parsed.data);
  }
  return { ok: true, value: out };
}
