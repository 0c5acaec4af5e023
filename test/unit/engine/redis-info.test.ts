import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isEvictingPolicy,
  judgePersistence,
  parseInfo,
  parseSaveRules,
} from '../../../src/engine/runtime/redis-info.js';

const field = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/);
const value = fc.stringMatching(/^[^\r\n]{0,40}$/);

describe('reading INFO and CONFIG output', () => {
  it('reads back every field of an INFO reply, whatever sections and line endings it has', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(field, value), { selector: ([k]) => k, maxLength: 30 }),
        fc.constantFrom('\r\n', '\n'),
        fc.array(fc.stringMatching(/^# [A-Za-z]{1,12}$/), { maxLength: 3 }),
        (pairs, eol, headers) => {
          const lines = [...headers, ...pairs.map(([k, v]) => `${k}:${v}`), ''];
          const info = parseInfo(lines.join(eol));
          expect(Object.fromEntries(info)).toEqual(Object.fromEntries(pairs));
        },
      ),
    );
  });

  it('finds run_id in a real INFO server reply', () => {
    const text =
      '# Server\r\nredis_version:7.0.15\r\nrun_id:6b3f0c1e8d0d4c0a9e6f2b1c3d4e5f60718293a4\r\ntcp_port:6379\r\n';
    expect(parseInfo(text).get('run_id')).toBe('6b3f0c1e8d0d4c0a9e6f2b1c3d4e5f60718293a4');
  });

  it('judges that Redis keeps data exactly when AOF is on or a valid save rule exists', () => {
    const rule = fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }));
    fc.assert(
      fc.property(
        fc.constantFrom('yes', 'no', 'YES', ' yes', undefined),
        fc.array(rule, { maxLength: 4 }),
        fc.constantFrom(' ', '  ', '\t'),
        (appendonly, rules, sep) => {
          const save = rules.map(([s, c]) => `${s}${sep}${c}`).join(sep);
          const verdict = judgePersistence({ appendonly, save });
          const aof = appendonly?.trim().toLowerCase() === 'yes';
          expect(verdict.aof).toBe(aof);
          expect(verdict.saveRules).toEqual(rules.map(([seconds, changes]) => ({ seconds, changes })));
          expect(verdict.keeps).toBe(aof || rules.length > 0);
        },
      ),
    );
  });

  it('takes an empty or malformed save setting for no rules at all', () => {
    for (const save of ['', '   ', undefined, 'x y', '60', '0 0', '-1 5'])
      expect(parseSaveRules(save)).toEqual([]);
    expect(judgePersistence({ appendonly: 'no', save: '' })).toMatchObject({
      keeps: false,
      description: 'appendonly no, no save rules',
    });
  });

  it('counts every policy but noeviction as evicting', () => {
    expect(isEvictingPolicy('noeviction')).toBe(false);
    for (const p of ['allkeys-lru', 'volatile-ttl', 'allkeys-random', undefined])
      expect(isEvictingPolicy(p)).toBe(true);
  });
});
