import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseServersState, type ServerState } from '../../../src/traffic/haproxy/servers-state.js';
import { parseStatCsv } from '../../../src/traffic/haproxy/stat-csv.js';

const HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';

// As HAProxy 2.6 answered `show servers state checkout` after `set weight` and a drain.
const SAMPLE = `1
${HEADER}
3 checkout 1 west1 127.0.0.1 2 8 50 100 4 1 0 2 0 0 0 0 - 18081 - 0 0 - - 0
3 checkout 2 central1 127.0.0.1 2 0 7 0 4 1 0 2 0 0 0 0 - 18082 - 0 0 - - 0

`;

describe("reading HAProxy's `show servers state`", () => {
  it('reads weights, admin and operational states as HAProxy writes them', () => {
    expect(parseServersState(SAMPLE)).toEqual({
      ok: true,
      value: [
        {
          backend: 'checkout',
          server: 'west1',
          address: '127.0.0.1',
          port: 18081,
          operational: 'running',
          admin: 'drain',
          weight: 50,
          initialWeight: 100,
        },
        {
          backend: 'checkout',
          server: 'central1',
          address: '127.0.0.1',
          port: 18082,
          operational: 'running',
          admin: 'ready',
          weight: 7,
          initialWeight: 0,
        },
      ],
    });
  });

  it('refuses an answer that is not the state (an error message, an unknown format, a short line)', () => {
    expect(parseServersState("Can't find backend.\n\n")).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/format version 1/),
    });
    expect(parseServersState('2\n' + HEADER)).toMatchObject({ ok: false });
    expect(parseServersState(`1\n${HEADER}\n3 checkout 1 west1\n`)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/line 1 has 4 fields/),
    });
    expect(parseServersState(SAMPLE.replace(' 50 100 ', ' 500 100 '))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/srv_uweight/),
    });
  });

  const serverLine = fc.record({
    backend: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/),
    server: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/),
    op: fc.integer({ min: 0, max: 3 }),
    adminBits: fc.integer({ min: 0, max: 0x3f }),
    weight: fc.integer({ min: 0, max: 256 }),
    initial: fc.integer({ min: 0, max: 256 }),
    port: fc.integer({ min: 0, max: 65_535 }),
  });

  it('reads back any servers written in the format, maintenance winning over drain', () => {
    fc.assert(
      fc.property(fc.array(serverLine, { maxLength: 8 }), (servers) => {
        const text = [
          '1',
          HEADER,
          ...servers.map(
            (s, i) =>
              `3 ${s.backend} ${i + 1} ${s.server} 10.0.0.${i} ${s.op} ${s.adminBits} ${s.weight} ${s.initial} 5 1 0 2 0 0 0 0 - ${s.port} - 0 0 - - 0`,
          ),
        ].join('\n');
        const parsed = parseServersState(text);
        expect(parsed.ok).toBe(true);
        const value = (parsed as { value: ServerState[] }).value;
        expect(value.map((s) => [s.backend, s.server, s.weight, s.initialWeight, s.port])).toEqual(
          servers.map((s) => [s.backend, s.server, s.weight, s.initial, s.port]),
        );
        value.forEach((s, i) => {
          const bits = servers[i]!.adminBits;
          expect(s.admin).toBe(bits & 0x27 ? 'maint' : bits & 0x18 ? 'drain' : 'ready');
          expect(s.operational).toBe(['stopped', 'starting', 'running', 'stopping'][servers[i]!.op]);
        });
      }),
    );
  });
});

describe("reading HAProxy's `show stat`", () => {
  it('reads sessions and responses per server', () => {
    const header =
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,hrsp_2xx,hrsp_5xx,';
    const rows = [
      'checkout,west1,0,0,0,1,,120,0,0,,0,,0,0,0,0,UP,75,1,118,2,',
      'checkout,BACKEND,0,0,0,1,,160,0,0,0,0,,0,0,0,0,UP,100,2,158,2,',
    ];
    const parsed = parseStatCsv([header, ...rows].join('\n'));
    expect(parsed).toMatchObject({
      ok: true,
      value: [
        {
          pxname: 'checkout',
          svname: 'west1',
          stot: 120,
          weight: 75,
          status: 'UP',
          hrsp_2xx: 118,
          hrsp_5xx: 2,
        },
        { pxname: 'checkout', svname: 'BACKEND', stot: 160 },
      ],
    });
    expect(parseStatCsv('Unknown command.\n')).toMatchObject({ ok: false });
  });
});
