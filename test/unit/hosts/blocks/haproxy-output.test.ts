import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  adminStateOf,
  parseServersState,
  sessionsOf,
} from '../../../../src/hosts/blocks/haproxy/servers-state.js';

// HAProxy 2.6's real answer to `show servers state app` (one server drained, one down).
const SHOW_SERVERS_STATE = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 app 1 web1 127.0.0.1 0 0 1 1 0 8 2 0 6 0 0 0 - 18081 - 0 0 - - 0
3 app 2 web2 127.0.0.1 2 8 1 1 0 1 0 2 0 0 0 0 - 18082 - 0 0 - - 0

`;

describe('reading HAProxy runtime API output', () => {
  it('reads servers by the header column names', () => {
    expect(parseServersState(SHOW_SERVERS_STATE)).toEqual([
      {
        backend: 'app',
        server: 'web1',
        admin: 'ready',
        operational: 'down',
        address: '127.0.0.1',
        port: 18081,
      },
      {
        backend: 'app',
        server: 'web2',
        admin: 'drain',
        operational: 'up',
        address: '127.0.0.1',
        port: 18082,
      },
    ]);
  });

  it('an error answer has no servers', () => {
    expect(parseServersState("Can't find backend.\n")).toEqual([]);
  });

  it('maintenance wins over drain, drain over ready, whatever other bits are set', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7f }), (bits) => {
        const expected = bits & 0x67 ? 'maint' : bits & 0x18 ? 'drain' : 'ready';
        expect(adminStateOf(bits)).toBe(expected);
      }),
    );
  });

  it("reads one server's current sessions from show stat", () => {
    const csv =
      '# pxname,svname,qcur,qmax,scur,smax\nfe,FRONTEND,,,4,5\napp,web1,0,0,3,4\napp,web2,0,0,0,1\napp,BACKEND,0,0,3,5\n';
    expect(sessionsOf(csv, { backend: 'app', server: 'web1' })).toBe(3);
    expect(sessionsOf(csv, { backend: 'app', server: 'web2' })).toBe(0);
    expect(sessionsOf(csv, { backend: 'app', server: 'web3' })).toBeUndefined();
  });
});
