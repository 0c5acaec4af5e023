import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_NODE_FLAGS } from '../../../src/app/node-flags.js';

/** Every way Marshal is started in production passes the V8 flags its memory figures were measured with. */
describe('production node flags', () => {
  const flags = PRODUCTION_NODE_FLAGS.join(' ');

  it('the image starts node with them', () => {
    const entry = /^ENTRYPOINT (.*)$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(JSON.parse(entry ?? '[]')).toEqual(['node', ...PRODUCTION_NODE_FLAGS, 'bin/marshal.js']);
  });

  it('the systemd units start node with them', () => {
    for (const unit of ['deploy/marshal-bot.service', 'deploy/marshal-worker.service'])
      expect({ unit, exec: /^ExecStart=(\S+ \S+ \S+)/m.exec(readFileSync(unit, 'utf8'))?.[1] }).toEqual({
        unit,
        exec: `/usr/bin/node ${flags} bin/marshal.js`,
      });
  });

  it('the `marshal` command (bin/marshal.js run as a program) starts node with them', () => {
    expect(readFileSync('bin/marshal.js', 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
  });
});
