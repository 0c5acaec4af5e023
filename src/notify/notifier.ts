/**
 * How a workflow tells people something needs them (a failed push alerts the bundle's owners).
 * Slack posts it in the run's thread; a terminal run prints it.
 */
export interface Notifier {
  alert(input: { runId: string; to: readonly string[]; title: string; text: string }): Promise<void>;
}
