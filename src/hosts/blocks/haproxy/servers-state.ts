import type { LbAdminState, LbServer, LbServerState } from '../types.js';

/**
 * What HAProxy's runtime API prints, read. Pure: tested on HAProxy's real output.
 * Admin state bits (server-t.h): FMAINT 0x01, IMAINT 0x02, CMAINT 0x04, FDRAIN 0x08, IDRAIN 0x10,
 * RMAINT 0x20, HMAINT 0x40. Operational state: 0 stopped, 1 starting, 2 running, 3 stopping.
 */
const MAINT_BITS = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const DRAIN_BITS = 0x08 | 0x10;
const OPERATIONAL = ['down', 'starting', 'up', 'stopping'] as const;

/** Backend and server names as HAProxy allows them; anything else never reaches the socket. */
export const HAPROXY_NAME = /^[A-Za-z0-9_.:-]+$/;

export function adminStateOf(bits: number): LbAdminState {
  if (bits & MAINT_BITS) return 'maint';
  if (bits & DRAIN_BITS) return 'drain';
  return 'ready';
}

/** Rows of `show servers state <backend>`, by the column names of its `#` header line. */
export function parseServersState(text: string): LbServerState[] {
  const lines = text.split('\n').map((l) => l.trim());
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) return [];
  const columns = header.slice(2).split(/\s+/);
  const col = (row: string[], name: string): string => row[columns.indexOf(name)] ?? '';
  return lines
    .filter((l) => l && !l.startsWith('#') && /\s/.test(l))
    .map((l) => l.split(/\s+/))
    .map((row) => ({
      backend: col(row, 'be_name'),
      server: col(row, 'srv_name'),
      admin: adminStateOf(Number(col(row, 'srv_admin_state'))),
      operational: OPERATIONAL[Number(col(row, 'srv_op_state'))] ?? 'down',
      address: col(row, 'srv_addr'),
      port: Number(col(row, 'srv_port')),
    }));
}

/** Current sessions (`scur`) of one server in `show stat` CSV; undefined when it is not listed. */
export function sessionsOf(csv: string, target: LbServer): number | undefined {
  const lines = csv.split('\n');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  const px = header.indexOf('pxname');
  const sv = header.indexOf('svname');
  const scur = header.indexOf('scur');
  for (const line of lines.slice(1)) {
    const row = line.split(',');
    if (row[px] === target.backend && row[sv] === target.server) return Number(row[scur] ?? 0);
  }
  return undefined;
}
