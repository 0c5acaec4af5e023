/** The emoji codes Marshal posts, as the emoji and as the word a terminal without them shows instead. */
const EMOJI: Record<string, readonly [emoji: string, word: string]> = {
  white_check_mark: ['✅', '[ok]'],
  ballot_box_with_check: ['☑️', '[approved]'],
  x: ['❌', '[failed]'],
  warning: ['⚠️', '[warning]'],
  octagonal_sign: ['🛑', '[stopped]'],
  no_entry: ['⛔', '[refused]'],
  information_source: ['ℹ️', '[info]'],
  double_vertical_bar: ['⏸️', '[paused]'],
  arrow_forward: ['▶️', '[resumed]'],
  raised_hand: ['✋', '[waiting]'],
  alarm_clock: ['⏰', '[timed out]'],
  hourglass_flowing_sand: ['⏳', '[in progress]'],
  rotating_light: ['🚨', '[alert]'],
  rocket: ['🚀', '[started]'],
  repeat: ['🔁', '[retry]'],
  test_tube: ['🧪', '[dry run]'],
  construction: ['🚧', '[not available]'],
};

/**
 * Whether this terminal shows emoji: a TTY with a UTF-8 locale (LC_ALL, else LC_CTYPE, else LANG, as
 * the C library picks). Piped output and plain `C`/`POSIX` locales get words.
 */
export function terminalShowsEmoji(
  env: Record<string, string | undefined> = process.env,
  isTTY: boolean = process.stdout.isTTY === true,
): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return isTTY && /utf-?8/i.test(locale);
}

/**
 * Slack's `:code:` emoji in text as the emoji itself, or as a word in brackets where the terminal cannot
 * show them. An unknown code becomes its words (`:green_heart:` → `[green heart]`), never upper-cased.
 */
export function renderEmoji(text: string, showEmoji: boolean): string {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, code: string) => {
    const known = EMOJI[code];
    if (known) return showEmoji ? known[0] : known[1];
    return showEmoji ? whole : `[${code.replace(/_/g, ' ')}]`;
  });
}
