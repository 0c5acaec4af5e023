import { z } from 'zod';

/**
 * `show servers state [<backend>]` as data. The answer is a format version line (`1`), a `# ` header
 * naming the columns, then one space-separated line per server; only format 1 is known. Pure: the text in,
 * the servers out, or a ParseProblem saying what was not as expected.
 */

const ServerStateRow = z.object({
  be_name: z.string().min(1),
  srv_name: z.string().min(1),
  srv_addr: z.string(),
  srv_op_state: z.coerce.number().int().min(0).max(3),
  srv_admin_state: z.coerce.number().int().min(0),
  srv_uweight: z.coerce.number().int().min(0).max(256),
  srv_iweight: z.coerce.number().int().min(0).max(256),
  srv_port: z.coerce.number().int().min(0).max(65_535),
});

/** The operational states HAProxy reports (`srv_op_state`). */
const OPERATIONAL = ['stopped', 'starting', 'running', 'stopping'] as const;

/** `srv_admin_state` bits: forced maintenance (by the API or config) and forced drain. */
const ADMIN_MAINT = 0x01 | 0x02 | 0x04 | 0x20;
const ADMIN_DRAIN = 0x08 | 0x10;

export interface ServerState {
  backend: string;
  server: string;
  address: string;
  port: number;
  operational: (typeof OPERATIONAL)[number];
  /** What an operator set: `ready`, `drain` or `maint` (maintenance wins over drain). */
  admin: 'ready' | 'drain' | 'maint';
  /** The weight in force (user weight), 0–256. */
  weight: number;
  /** The weight from the configuration file. */
  initialWeight: number;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

export function parseServersState(text: string): ParseResult<ServerState[]> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const [version, header, ...rows] = lines;
  if (version?.trim() !== '1')
    return {
      ok: false,
      problem: `expected format version 1 on the first line, got ${JSON.stringify(version ?? '')}`,
    };
  if (!header?.startsWith('# '))
    return {
      ok: false,
      problem: `expected the "# be_id be_name …" header, got ${JSON.stringify(header ?? '')}`,
    };
  const columns = header.slice(2).trim().split(/\s+/);
  const servers: ServerState[] = [];
  for (const [i, row] of rows.entries()) {
    const fields = row.trim().split(/\s+/);
    if (fields.length !== columns.length)
      return {
        ok: false,
        problem: `server line ${i + 1} has ${fields.length} fields, the header ${columns.length}`,
      };
    const parsed = ServerStateRow.safeParse(Object.fromEntries(columns.map((c, j) => [c, fields[j]])));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, problem: `server line ${i + 1}: ${String(issue?.path[0])}: ${issue?.message}` };
    }
    const r = parsed.data;
    servers.push({
      backend: r.be_name,
      server: r.srv_name,
      address: r.srv_addr,
      port: r.srv_port,
      operational: OPERATIONAL[r.srv_op_state]!,
      admin: r.srv_admin_state & ADMIN_MAINT ? 'maint' : r.srv_admin_state & ADMIN_DRAIN ? 'drain' : 'ready',
      weight: r.srv_uweight,
      initialWeight: r.srv_iweight,
    });
  }
  return { ok: true, value: servers };
}
