/**
 * Reading what Redis says about itself (INFO text, CONFIG GET values) and judging it. Pure: the
 * start-up checks and the runtime watch do the I/O.
 */

/** INFO's `field:value` lines as a map; `# Section` headers and blank lines are skipped. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export interface SaveRule {
  seconds: number;
  changes: number;
}

/** CONFIG GET save: `"3600 1 300 100"` → two rules; `""` → none. Malformed pairs are not rules. */
export function parseSaveRules(save: string | undefined): SaveRule[] {
  const words = (save ?? '').trim().split(/\s+/).filter(Boolean);
  const rules: SaveRule[] = [];
  for (let i = 0; i + 1 < words.length; i += 2) {
    const seconds = Number(words[i]);
    const changes = Number(words[i + 1]);
    if (Number.isInteger(seconds) && Number.isInteger(changes) && seconds > 0 && changes > 0)
      rules.push({ seconds, changes });
  }
  return rules;
}

export interface PersistenceVerdict {
  /** Whether a restart of this Redis keeps (some of) its data. */
  keeps: boolean;
  aof: boolean;
  saveRules: SaveRule[];
  /** For messages: `appendonly no, no save rules`. */
  description: string;
}

/** Redis keeps data across a restart with an append-only file or at least one RDB save rule. */
export function judgePersistence(config: { appendonly?: string; save?: string }): PersistenceVerdict {
  const aof = config.appendonly?.trim().toLowerCase() === 'yes';
  const saveRules = parseSaveRules(config.save);
  const rules = saveRules.map((r) => `${r.seconds} ${r.changes}`).join(', ');
  return {
    keeps: aof || saveRules.length > 0,
    aof,
    saveRules,
    description: `appendonly ${aof ? 'yes' : 'no'}, ${rules ? `save ${rules}` : 'no save rules'}`,
  };
}

/** `noeviction` is the only policy under which Redis never drops a key to make room. */
export function isEvictingPolicy(policy: string | undefined): boolean {
  return policy !== 'noeviction';
}
