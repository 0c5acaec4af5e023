/** An image for the people following a run, e.g. a chart of a rollout's progress. */
export interface RunImage {
  runId: string;
  title: string;
  /** The PNG's bytes (see src/charts). */
  png: Buffer;
  /** What the image shows, for screen readers and clients that do not render images. */
  altText: string;
}

/**
 * How a workflow tells people something needs them (a failed push alerts the bundle's owners), and
 * shows them what words cannot (a chart). Slack posts both in the run's thread; a terminal run prints
 * the alert and saves the image where it says.
 */
export interface Notifier {
  alert(input: { runId: string; to: readonly string[]; title: string; text: string }): Promise<void>;
  image(input: RunImage): Promise<void>;
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
