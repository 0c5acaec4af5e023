import { describe, expect, it } from 'vitest';
import { renderFstab } from '../../../src/local/fleet/host-fstab.js';

describe('a fleet host fstab', () => {
  it('lists the mounts in order, one a line, as mount --all reads them', () => {
    expect(
      renderFstab([
        { source: '/f/1/state', target: '/var/lib/marshal-host', type: 'none', options: 'bind' },
        { source: 'marshal-disk', target: '/var/lib/marshal-host/disk', type: 'tmpfs', options: 'size=16m' },
      ]),
    ).toBe(
      '/f/1/state /var/lib/marshal-host none bind 0 0\nmarshal-disk /var/lib/marshal-host/disk tmpfs size=16m 0 0\n',
    );
  });

  it('escapes a space, tab, newline or backslash in a path (they would split or end the field)', () => {
    expect(renderFstab([{ source: '/a b\\c\td\ne', target: '/t', type: 'none', options: 'bind' }])).toBe(
      '/a\\040b\\134c\\011d\\012e /t none bind 0 0\n',
    );
  });

  it('refuses an empty field', () => {
    expect(() => renderFstab([{ source: '', target: '/t', type: 'none', options: 'bind' }])).toThrow(
      /cannot be empty/,
    );
  });
});
