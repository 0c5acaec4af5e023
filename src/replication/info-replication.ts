import { z } from 'zod';

/**
 * Redis's `INFO replication` section as data: `key:value` lines, `# Replication` headings and blank lines
 * ignored, CRLF or LF. A primary lists its replicas as `slaveN:ip=…,port=…,state=…,offset=…,lag=…`.
 * Pure; the fields the drill judges are validated, the rest ignored.
 */

const Int = z.coerce.number().int();

const ReplicaEntry = z.object({
  ip: z.string(),
  port: Int.min(0).max(65_535),
  state: z.string(),
  offset: Int.min(0),
  lag: Int,
});

const Primary = z.object({
  role: z.literal('master'),
  connected_slaves: Int.min(0),
  master_repl_offset: Int.min(0),
});

const Replica = z.object({
  role: z.literal('slave'),
  master_host: z.string(),
  master_port: Int.min(0).max(65_535),
  master_link_status: z.enum(['up', 'down']),
  /** -1 while the link is down. */
  master_last_io_seconds_ago: Int.min(-1),
  master_sync_in_progress: Int.min(0).max(1),
  slave_repl_offset: Int.min(-1),
  master_link_down_since_seconds: Int.optional(),
});

export type ReplicaEntry = z.infer<typeof ReplicaEntry>;

export type ReplicationInfo =
  | { role: 'primary'; offset: number; replicas: ReplicaEntry[] }
  | {
      role: 'replica';
      primaryHost: string;
      primaryPort: number;
      linkUp: boolean;
      lastIoSecondsAgo: number;
      syncing: boolean;
      offset: number;
      linkDownSeconds: number | undefined;
    };

export function parseInfoReplication(
  text: string,
): { ok: true; value: ReplicationInfo } | { ok: false; problem: string } {
  const fields: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0)
      return { ok: false, problem: `not a "key:value" line: ${JSON.stringify(line.slice(0, 80))}` };
    fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  if (fields.role === 'master') {
    const primary = Primary.safeParse(fields);
    if (!primary.success) return { ok: false, problem: problem(primary.error) };
    const replicas: ReplicaEntry[] = [];
    for (let i = 0; i < primary.data.connected_slaves; i++) {
      const entry = fields[`slave${i}`];
      if (entry === undefined)
        return {
          ok: false,
          problem: `connected_slaves is ${primary.data.connected_slaves} but slave${i} is missing`,
        };
      const parsed = ReplicaEntry.safeParse(
        Object.fromEntries(entry.split(',').map((kv) => kv.split('=', 2))),
      );
      if (!parsed.success) return { ok: false, problem: `slave${i}: ${problem(parsed.error)}` };
      replicas.push(parsed.data);
    }
    return { ok: true, value: { role: 'primary', offset: primary.data.master_repl_offset, replicas } };
  }
  if (fields.role === 'slave') {
    const replica = Replica.safeParse(fields);
    if (!replica.success) return { ok: false, problem: problem(replica.error) };
    const r = replica.data;
    return {
      ok: true,
      value: {
        role: 'replica',
        primaryHost: r.master_host,
        primaryPort: r.master_port,
        linkUp: r.master_link_status === 'up',
        lastIoSecondsAgo: r.master_last_io_seconds_ago,
        syncing: r.master_sync_in_progress === 1,
        offset: r.slave_repl_offset,
        linkDownSeconds: r.master_link_down_since_seconds,
      },
    };
  }
  return { ok: false, problem: `role is ${JSON.stringify(fields.role ?? '')}, not master or slave` };
}

function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || 'field'}: ${issue?.message ?? 'invalid'}`;
}
