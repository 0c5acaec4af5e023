/**
 * How a workflow tells people something needs them (a failed push alerts the bundle's owners).
 * Slack posts it in the run's thread; a terminal run prints it.
 */
export interface Notifier {
  alert(input: { runId: string; to: readonly string[]; title: string; text: string }): Promise<void>;
  /**
   * Something people read in the run's thread without being paged (a recap, a scorecard, a table):
   * posted in the thread, printed in a terminal run. Optional: `postNote` falls back to `alert`.
   */
  note?(input: { runId: string; title: string; text: string }): Promise<void>;
}

/** Posts a note through `notifier.note`, or as an alert to nobody where the notifier has no notes. */
export function postNote(
  notifier: Notifier,
  input: { runId: string; title: string; text: string },
): Promise<void> {
  return notifier.note ? notifier.note(input) : notifier.alert({ ...input, to: [] });
}
