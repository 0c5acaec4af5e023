/**
 * The operator's own word as a Slack code span: backticks inside become `'` so the word cannot close the
 * span early; a word longer than `max` is cut, so a pasted paragraph does not flood the refusal.
 */
export function codeSpan(word: string, max = Infinity): string {
  const clean = word.replace(/`/g, "'");
  return `\`${clean.length > max ? `${clean.slice(0, max - 3)}...` : clean}\``;
}
