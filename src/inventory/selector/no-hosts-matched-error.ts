import { ErrorCode, MarshalError } from '../../errors/index.js';

export interface TermMatch {
  term: string;
  matched: number;
  /** A few of the matched host names, for the message. */
  sample: string[];
}

/**
 * A well-formed selector that selects nothing, or a part of it that matches no host. Marshal fails
 * closed: an empty selection is refused, never run as "nothing to do".
 */
export class NoHostsMatchedError extends MarshalError {
  override name = 'NoHostsMatchedError';

  constructor(selector: string, summary: string, terms: TermMatch[], hint = '') {
    const detail = terms.map((t) => `${t.term} → ${describe(t)}`).join('; ');
    super(ErrorCode.NoHostsMatched, `host selector '${selector}' ${summary}: ${detail}${hint}`, {
      retryable: false,
      context: { selector, terms },
    });
  }
}

function describe(t: TermMatch): string {
  if (t.matched === 0) return 'no hosts';
  const more = t.matched > t.sample.length ? ', …' : '';
  return `${t.matched} host${t.matched === 1 ? '' : 's'} (${t.sample.join(', ')}${more})`;
}
