import { shellWords } from './shell-words.js';

/**
 * The jump host named in `ansible_ssh_common_args` / `ansible_ssh_extra_args`, when it is clear:
 * `-o ProxyJump=X`, `-o 'ProxyJump X'`, `-J X`, or `-o ProxyCommand="ssh -W %h:%p [-q] X"`.
 * `none` when no jump is configured; `unclear` (with why) for multi-hop chains, other ProxyCommands or
 * conflicting settings. Those stay in the host's vars only, for a person to look at.
 */
export type ProxyJumpSpec =
  { kind: 'none' } | { kind: 'jump'; target: string } | { kind: 'unclear'; reason: string };

export function findProxyJump(argStrings: readonly string[]): ProxyJumpSpec {
  const targets: string[] = [];
  for (const args of argStrings) {
    let words: string[];
    try {
      words = shellWords(args, { comments: false });
    } catch {
      return { kind: 'unclear', reason: 'SSH arguments do not split into words' };
    }
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      let option: string | undefined;
      if (w === '-o') option = words[++i];
      else if (w.startsWith('-o')) option = w.slice(2);
      else if (w === '-J') targets.push(words[++i] ?? '');
      else if (w.startsWith('-J')) targets.push(w.slice(2));
      if (option === undefined) continue;
      const m = /^(\w+)\s*[= ]\s*(.*)$/s.exec(option.trim());
      if (!m) continue;
      const key = m[1]!.toLowerCase();
      if (key === 'proxyjump') targets.push(m[2]!.trim());
      else if (key === 'proxycommand') {
        const target = proxyCommandTarget(m[2]!);
        if (target === undefined)
          return { kind: 'unclear', reason: 'ProxyCommand is not a plain `ssh -W %h:%p HOST`' };
        targets.push(target);
      }
    }
  }
  const distinct = [...new Set(targets)];
  if (distinct.length === 0) return { kind: 'none' };
  if (distinct.length > 1)
    return { kind: 'unclear', reason: `several jump hosts are configured: ${distinct.join(', ')}` };
  const target = distinct[0]!;
  if (target === '' || target.toLowerCase() === 'none') return { kind: 'none' };
  if (target.includes(',')) return { kind: 'unclear', reason: `'${target}' is a multi-hop chain` };
  return { kind: 'jump', target };
}

function proxyCommandTarget(command: string): string | undefined {
  let words: string[];
  try {
    words = shellWords(command, { comments: false });
  } catch {
    return undefined;
  }
  if (words[0] !== 'ssh') return undefined;
  const rest = words.slice(1).filter((w) => w !== '-q');
  const w = rest.indexOf('-W');
  if (w < 0 || rest[w + 1] !== '%h:%p') return undefined;
  rest.splice(w, 2);
  return rest.length === 1 && !rest[0]!.startsWith('-') ? rest[0] : undefined;
}
