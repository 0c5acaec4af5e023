import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Host } from '../../../../src/hosts/host.js';
import { InvalidSelectorError } from '../../../../src/inventory/selector/invalid-selector-error.js';
import { NoHostsMatchedError } from '../../../../src/inventory/selector/no-hosts-matched-error.js';
import { parseSelector } from '../../../../src/inventory/selector/parse-selector.js';
import { SelectorAst } from '../../../../src/inventory/selector/selector-ast.js';
import { selectHosts, type SelectableInventory } from '../../../../src/inventory/selector/select-hosts.js';

const ROLES = ['web', 'api', 'db'];
const REGIONS = ['eu-west-1', 'us-east-1'];

/** A small inventory of hosts with random roles and regions. */
const inventory = fc
  .array(fc.tuple(fc.constantFrom(...ROLES), fc.constantFrom(...REGIONS)), { minLength: 1, maxLength: 12 })
  .map((hosts): SelectableInventory => ({
    hosts: hosts.map(([role, region], i) =>
      Host.parse({ name: `h-${String(i).padStart(2, '0')}`, address: `127.0.0.${i + 2}`, role, region }),
    ),
    groups: [],
  }));

const term = fc.oneof(
  fc.constantFrom(...ROLES).map((r) => `role=${r}`),
  fc.constantFrom(...REGIONS).map((r) => `region=${r}`),
);

/** The selection, or undefined when the selector is refused because nothing matched. */
function trySelect(inv: SelectableInventory, selector: string): string[] | undefined {
  try {
    return selectHosts(inv, selector).map((h) => h.name);
  } catch (err) {
    if (err instanceof NoHostsMatchedError) return undefined;
    throw err;
  }
}

describe('selectors (properties)', () => {
  it('answers any text with a valid syntax tree or an InvalidSelectorError, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          expect(SelectorAst.safeParse(parseSelector(text)).success).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidSelectorError);
        }
      }),
    );
  });

  it('selects, for terms separated by spaces, exactly the hosts every term selects (AND)', () => {
    fc.assert(
      fc.property(inventory, term, term, (inv, a, b) => {
        const both = trySelect(inv, `${a} ${b}`);
        const left = trySelect(inv, a);
        const right = trySelect(inv, b);
        const expected = left && right ? left.filter((n) => right.includes(n)) : [];
        expect(both ?? []).toEqual(expected);
      }),
    );
  });

  it('selects, for alternatives separated by commas, the hosts any alternative selects (OR), in inventory order', () => {
    fc.assert(
      fc.property(inventory, term, term, (inv, a, b) => {
        const left = trySelect(inv, a);
        const right = trySelect(inv, b);
        fc.pre(left !== undefined && right !== undefined);
        const either = trySelect(inv, `${a},${b}`);
        const expected = inv.hosts.map((h) => h.name).filter((n) => left.includes(n) || right.includes(n));
        expect(either).toEqual(expected);
      }),
    );
  });

  it('selects with `all !term` exactly the hosts the term does not', () => {
    fc.assert(
      fc.property(inventory, term, (inv, a) => {
        const selected = trySelect(inv, a);
        fc.pre(selected !== undefined);
        const rest = inv.hosts.map((h) => h.name).filter((n) => !selected.includes(n));
        expect(trySelect(inv, `all !${a}`) ?? []).toEqual(rest);
      }),
    );
  });
});
