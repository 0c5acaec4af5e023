import type { Host } from '../hosts/host.js';
import type { InventoryData } from './inventory-data.js';
import type { InventoryGroup } from './inventory-group.js';
import { selectHosts } from './selector/select-hosts.js';
import { UnknownHostError } from './unknown-host-error.js';
import { deepFreeze } from '../config/deep-freeze.js';

/** The hosts Marshal may work on, whatever file they came from. Immutable once loaded. */
export interface Inventory {
  /** Where it was loaded from, for messages. */
  readonly source: string;
  /** What the import could not map (e.g. a multi-hop jump), for the operator to see. */
  readonly warnings: readonly string[];
  /** Every host, in inventory order. */
  hosts(): readonly Host[];
  /** One host by name; UnknownHostError (with close matches) if there is none. */
  get(name: string): Host;
  groups(): readonly InventoryGroup[];
  /** Hosts matching a selector (docs/inventory.md), in inventory order; never empty (fails closed). */
  select(selector: string): Host[];
}

export class StaticInventory implements Inventory {
  readonly source: string;
  readonly warnings: readonly string[];
  private readonly hostList: readonly Host[];
  private readonly groupList: readonly InventoryGroup[];
  private readonly byName: ReadonlyMap<string, Host>;

  constructor(data: InventoryData) {
    this.source = data.source;
    this.warnings = Object.freeze([...data.warnings]);
    this.hostList = deepFreeze(structuredClone(data.hosts));
    this.groupList = deepFreeze(structuredClone(data.groups));
    this.byName = new Map(this.hostList.map((h) => [h.name, h]));
  }

  hosts(): readonly Host[] {
    return this.hostList;
  }

  get(name: string): Host {
    const host = this.byName.get(name);
    if (!host) throw new UnknownHostError(name, [...this.byName.keys()], this.source);
    return host;
  }

  groups(): readonly InventoryGroup[] {
    return this.groupList;
  }

  select(selector: string): Host[] {
    return selectHosts({ hosts: this.hostList, groups: this.groupList }, selector);
  }
}
