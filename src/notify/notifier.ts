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
}
