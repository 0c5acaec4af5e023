import { z } from 'zod';

/** Host attributes a selector can test. `var` is written `var.<key>`. */
export const SELECTOR_ATTRIBUTES = ['name', 'address', 'region', 'role', 'tag', 'group', 'var'] as const;
export const SelectorAttribute = z.enum(SELECTOR_ATTRIBUTES);
export type SelectorAttribute = z.infer<typeof SelectorAttribute>;

export const VAR_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A value to compare: exact text, or a glob (`*`, `?`, `[a-c]`, `[!x]`) when it holds glob characters. */
export const SelectorPattern = z.object({ text: z.string().min(1).max(253), glob: z.boolean() });
export type SelectorPattern = z.infer<typeof SelectorPattern>;

export const SelectorAtom = z.discriminatedUnion('kind', [
  /** `all`: every host. */
  z.object({ kind: z.literal('all') }),
  /** A bare word: a group name, else a host name; with glob characters, a glob over host names. */
  z.object({ kind: z.literal('word'), pattern: SelectorPattern }),
  /** `attribute=value`, or `var.key=value`. */
  z.object({
    kind: z.literal('attribute'),
    attribute: SelectorAttribute,
    key: z.string().regex(VAR_KEY_PATTERN).optional(),
    pattern: SelectorPattern,
  }),
]);
export type SelectorAtom = z.infer<typeof SelectorAtom>;

export const SelectorAlternative = z.object({ text: z.string(), negated: z.boolean(), atom: SelectorAtom });
export type SelectorAlternative = z.infer<typeof SelectorAlternative>;

/** Alternatives joined by commas: a host satisfies the term if it satisfies any of them. */
export const SelectorTerm = z.object({
  text: z.string(),
  alternatives: z.array(SelectorAlternative).min(1).max(16),
});
export type SelectorTerm = z.infer<typeof SelectorTerm>;

/** Terms separated by spaces: a host is selected if it satisfies every term. */
export const SelectorAst = z.object({ text: z.string(), terms: z.array(SelectorTerm).min(1).max(32) });
export type SelectorAst = z.infer<typeof SelectorAst>;
