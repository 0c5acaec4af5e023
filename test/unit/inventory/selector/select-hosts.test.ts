import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, MarshalError } from '../../../../src/errors/index.js';
import { StaticInventory } from '../../../../src/inventory/inventory.js';
import { compileGlob } from '../../../../src/inventory/selector/glob.js';
import { parseSelector } from '../../../../src/inventory/selector/parse-selector.js';
import { parseMarshalInventory } from '../../../../src/inventory/yaml-inventory.js';
import { thrownBy } from '../../../support/refusal.js';

const inventory = new StaticInventory(
  parseMarshalInventory(readFileSync('examples/inventory.yaml', 'utf8'), 'example'),
);
const names = (selector: string) => inventory.select(selector).map((h) => h.name);

const failure = (selector: string): MarshalError => thrownBy(MarshalError, () => inventory.select(selector));

describe('host selectors', () => {
  it('ANDs space-separated terms', () => {
    expect(names('role=web region=us-east-1')).toEqual(['web-01', 'web-02']);
  });

  it('ORs comma-separated alternatives, in inventory order, without duplicates', () => {
    expect(names('role=api,role=web')).toEqual(['web-01', 'web-02', 'api-01', 'web-eu-01']);
    expect(names('web-01,webservers,role=web')).toEqual(['web-01', 'web-02', 'web-eu-01']);
    expect(names('role=web,role=api region=us-east-1')).toEqual(['web-01', 'web-02', 'api-01']);
  });

  it('selects groups (with their child groups), host names and all', () => {
    expect(names('frontend')).toEqual(['web-01', 'web-02', 'api-01', 'web-eu-01']);
    expect(names('group=databases')).toEqual(['db-01']);
    expect(names('db-01')).toEqual(['db-01']);
    expect(names('all')).toHaveLength(6);
  });

  it('matches globs on names and attribute values', () => {
    expect(names('web-*')).toEqual(['web-01', 'web-02', 'web-eu-01']);
    expect(names('web-0[1-3]')).toEqual(['web-01', 'web-02']);
    expect(names('name=web-0?')).toEqual(['web-01', 'web-02']);
    expect(names('address=10.10.1.*')).toEqual(['web-01', 'web-02']);
    expect(names('region=eu-*')).toEqual(['web-eu-01']);
    expect(names('web-[!0]*')).toEqual(['web-eu-01']);
  });

  it('negates alternatives', () => {
    expect(names('all !tag=critical')).toEqual(['web-01', 'web-02', 'api-01', 'web-eu-01']);
    expect(names('frontend !web-eu-*')).toEqual(['web-01', 'web-02', 'api-01']);
    expect(names('role=web !tag=canary')).toEqual(['web-02', 'web-eu-01']);
  });

  it('tests tags and variables, comparing variables as text', () => {
    expect(names('tag=pci')).toEqual(['db-01']);
    expect(names('var.http_port=8080')).toEqual(['web-01', 'web-02', 'web-eu-01']);
    expect(names('var.workers=8')).toEqual(['api-01']);
    expect(names('var.backup_window=02:00-04:00')).toEqual(['db-01']);
  });

  it('refuses an unknown attribute, suggesting the close one and listing the allowed', () => {
    const err = failure('rgion=us-east-1');
    expect(err.code).toBe(ErrorCode.InvalidSelector);
    expect(err.message).toContain(
      "unknown attribute 'rgion'; did you mean 'region'? allowed: name, address, region, role, tag, group, var.<key>".replace(
        '? allowed',
        '?; allowed',
      ),
    );
  });

  it('refuses an unknown group or host name with close matches', () => {
    const err = failure('webserver');
    expect(err.code).toBe(ErrorCode.InvalidSelector);
    expect(err.message).toContain("'webserver' is neither a group nor a host; did you mean 'webservers'?");
    expect(failure('name=web-1').message).toContain("no host is named 'web-1'; did you mean 'web-01'");
    expect(failure('group=dbs').code).toBe(ErrorCode.InvalidSelector);
    expect(failure('var.prot=80').message).toContain("no host has a variable 'prot'");
  });

  it('fails closed when the terms together match no host, saying what each matched', () => {
    const err = failure('role=db region=eu-west-1');
    expect(err.code).toBe(ErrorCode.NoHostsMatched);
    expect(err.message).toBe(
      "host selector 'role=db region=eu-west-1' matched no host: role=db → 1 host (db-01); region=eu-west-1 → 1 host (web-eu-01); all terms together → no hosts",
    );
  });

  it('fails closed on a part that matches no host, naming the known values', () => {
    const err = failure('role=web,role=wbe');
    expect(err.code).toBe(ErrorCode.NoHostsMatched);
    expect(err.message).toContain(
      "role=wbe → no hosts. Did you mean 'web'? Known roles: bastion, web, api, db",
    );
    expect(failure('all !tag=critcal').code).toBe(ErrorCode.NoHostsMatched);
    expect(failure('zz-*').code).toBe(ErrorCode.NoHostsMatched);
  });

  it('refuses a selector of only negations, pointing at `all`', () => {
    expect(failure('!db-*').message).toContain('say so with `all !db-*`');
  });

  it('refuses malformed, oversized and hostile text', () => {
    const bad = [
      '',
      '   ',
      'role=',
      '=web',
      'role=web=api',
      'a,,b',
      '!',
      '!!web',
      'we!b',
      'name=$(reboot)',
      'web;rm',
      "role='web'",
      'web-[',
      'web-[3-1]',
      'var.a-b=1',
      'x'.repeat(600),
    ];
    for (const selector of bad) expect(failure(selector).code).toBe(ErrorCode.InvalidSelector);
    expect(failure('role=web '.repeat(40)).message).toContain('more than 32 terms');
  });

  it('parses to a validated tree', () => {
    expect(parseSelector('role=web,!tag=canary db-*')).toEqual({
      text: 'role=web,!tag=canary db-*',
      terms: [
        {
          text: 'role=web,!tag=canary',
          alternatives: [
            {
              text: 'role=web',
              negated: false,
              atom: { kind: 'attribute', attribute: 'role', pattern: { text: 'web', glob: false } },
            },
            {
              text: '!tag=canary',
              negated: true,
              atom: { kind: 'attribute', attribute: 'tag', pattern: { text: 'canary', glob: false } },
            },
          ],
        },
        {
          text: 'db-*',
          alternatives: [
            { text: 'db-*', negated: false, atom: { kind: 'word', pattern: { text: 'db-*', glob: true } } },
          ],
        },
      ],
    });
  });
});

describe('globs', () => {
  it('matches *, ?, classes and negated classes, with no regex meaning for other characters', () => {
    expect(compileGlob('web-*')('web-01')).toBe(true);
    expect(compileGlob('web-*')('db-01')).toBe(false);
    expect(compileGlob('w?b')('web')).toBe(true);
    expect(compileGlob('db-[a-c]')('db-b')).toBe(true);
    expect(compileGlob('db-[!a-c]')('db-b')).toBe(false);
    expect(compileGlob('a.c')('abc')).toBe(false);
    expect(compileGlob('*a*a*a*a*a*b')('a'.repeat(5000))).toBe(false);
  });
});

describe('Inventory', () => {
  it('gets a host by name, or says which names are close', () => {
    expect(inventory.get('db-01').port).toBe(2222);
    expect(() => inventory.get('web01')).toThrow(
      "unknown host 'web01' in inventory example (6 hosts); did you mean 'web-01'",
    );
    try {
      inventory.get('nope');
    } catch (err) {
      expect((err as MarshalError).code).toBe(ErrorCode.UnknownHost);
    }
  });

  it('hands out hosts that cannot be changed behind its back', () => {
    const host = inventory.get('web-01');
    expect(() => host.tags.push('x')).toThrow();
    expect(inventory.groups().map((g) => g.name)).toEqual([
      'webservers',
      'appservers',
      'frontend',
      'databases',
    ]);
  });
});
