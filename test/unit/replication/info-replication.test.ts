import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInfoReplication, type ReplicationInfo } from '../../../src/replication/info-replication.js';
import { judgeReplication } from '../../../src/replication/replication-health.js';

// As redis-server 7.0 answers INFO replication on each end of a healthy link.
const PRIMARY = `# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=127.0.0.1,port=6380,state=online,offset=5000,lag=0\r\nmaster_failover_state:no-failover\r\nmaster_replid:8f1c\r\nmaster_replid2:0000\r\nmaster_repl_offset:5120\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\n`;
const REPLICA = `# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\nmaster_link_status:up\r\nmaster_last_io_seconds_ago:1\r\nmaster_sync_in_progress:0\r\nslave_read_repl_offset:5000\r\nslave_repl_offset:5000\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\nmaster_repl_offset:5000\r\n`;

const value = (text: string): ReplicationInfo => {
  const parsed = parseInfoReplication(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
};
const ends = { primary: { host: '127.0.0.1', port: 6379 }, replica: { host: '127.0.0.1', port: 6380 } };
const limits = { maxLagSeconds: 5, maxLagBytes: 1024 };

describe("reading Redis's INFO replication", () => {
  it('reads both ends as Redis writes them', () => {
    expect(value(PRIMARY)).toEqual({
      role: 'primary',
      offset: 5120,
      replicas: [{ ip: '127.0.0.1', port: 6380, state: 'online', offset: 5000, lag: 0 }],
    });
    expect(value(REPLICA)).toMatchObject({
      role: 'replica',
      primaryHost: '127.0.0.1',
      primaryPort: 6379,
      linkUp: true,
      offset: 5000,
    });
  });

  it('refuses what is not a replication section', () => {
    expect(parseInfoReplication('-NOAUTH Authentication required.')).toMatchObject({ ok: false });
    expect(parseInfoReplication(PRIMARY.replace('slave0:', 'slave9:'))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/slave0 is missing/),
    });
    expect(parseInfoReplication(REPLICA.replace('link_status:up', 'link_status:sideways'))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/master_link_status/),
    });
  });

  const replicaLine = fc.record({
    ip: fc.ipV4(),
    port: fc.integer({ min: 1, max: 65_535 }),
    state: fc.constantFrom('online', 'wait_bgsave', 'send_bulk'),
    offset: fc.integer({ min: 0, max: 2 ** 40 }),
    lag: fc.integer({ min: -1, max: 1_000 }),
  });

  it('reads back any primary written in the format, in any line ending, with unknown fields ignored', () => {
    fc.assert(
      fc.property(
        fc.array(replicaLine, { maxLength: 5 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.constantFrom('\n', '\r\n'),
        (replicas, offset, eol) => {
          const text = [
            '# Replication',
            'role:master',
            `connected_slaves:${replicas.length}`,
            ...replicas.map(
              (r, i) =>
                `slave${i}:ip=${r.ip},port=${r.port},state=${r.state},offset=${r.offset},lag=${r.lag}`,
            ),
            'master_replid:abc',
            `master_repl_offset:${offset}`,
            'repl_backlog_histlen:0',
            '',
          ].join(eol);
          expect(value(text)).toEqual({ role: 'primary', offset, replicas });
        },
      ),
    );
  });

  it('reads back any replica written in the format', () => {
    fc.assert(
      fc.property(
        fc.record({
          host: fc.ipV4(),
          port: fc.integer({ min: 1, max: 65_535 }),
          up: fc.boolean(),
          io: fc.integer({ min: -1, max: 10_000 }),
          syncing: fc.boolean(),
          offset: fc.integer({ min: -1, max: 2 ** 40 }),
        }),
        (r) => {
          const text = [
            'role:slave',
            `master_host:${r.host}`,
            `master_port:${r.port}`,
            `master_link_status:${r.up ? 'up' : 'down'}`,
            `master_last_io_seconds_ago:${r.io}`,
            `master_sync_in_progress:${r.syncing ? 1 : 0}`,
            `slave_repl_offset:${r.offset}`,
          ].join('\n');
          expect(value(text)).toEqual({
            role: 'replica',
            primaryHost: r.host,
            primaryPort: r.port,
            linkUp: r.up,
            lastIoSecondsAgo: r.io,
            syncing: r.syncing,
            offset: r.offset,
            linkDownSeconds: undefined,
          });
        },
      ),
    );
  });
});

describe('judging a replication link', () => {
  it('is healthy when connected, online and within both lag limits', () => {
    expect(judgeReplication(value(PRIMARY), value(REPLICA), ends, limits)).toEqual({
      healthy: true,
      lagBytes: 120,
      lagSeconds: 0,
      problems: [],
    });
  });

  it('names each problem: link down, lag over the limits, a replica following another primary', () => {
    const down = REPLICA.replace('link_status:up', 'link_status:down').replace(
      'io_seconds_ago:1',
      'io_seconds_ago:-1',
    );
    expect(judgeReplication(value(PRIMARY), value(down), ends, limits).problems).toContain(
      "the replica's link to its primary is down",
    );
    const behind = PRIMARY.replace('master_repl_offset:5120', 'master_repl_offset:99999').replace(
      'lag=0',
      'lag=30',
    );
    expect(judgeReplication(value(behind), value(REPLICA), ends, limits).problems).toEqual([
      'lag 30 s over 5 s',
      'lag 94999 bytes over 1024 bytes',
    ]);
    const elsewhere = REPLICA.replace('master_port:6379', 'master_port:7000');
    expect(judgeReplication(value(PRIMARY), value(elsewhere), ends, limits).problems[0]).toMatch(
      /follows 127.0.0.1:7000, not 127.0.0.1:6379/,
    );
    expect(judgeReplication(value(PRIMARY), value(PRIMARY), ends, limits).problems).toEqual([
      'the replica (127.0.0.1:6380) is a primary: it replicates nothing',
    ]);
  });

  it('is never healthy with any problem, and always healthy lag within limits otherwise', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 1e6 }), (lag, bytes) => {
        const p = PRIMARY.replace('lag=0', `lag=${lag}`).replace(
          'master_repl_offset:5120',
          `master_repl_offset:${5000 + bytes}`,
        );
        const h = judgeReplication(value(p), value(REPLICA), ends, limits);
        expect(h.healthy).toBe(lag <= limits.maxLagSeconds && bytes <= limits.maxLagBytes);
        expect(h.healthy).toBe(h.problems.length === 0);
      }),
    );
  });
});
