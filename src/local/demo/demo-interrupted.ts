/** The local run was interrupted (Ctrl-C, SIGTERM): what was started is stopped, nothing is left. */
export class DemoInterrupted extends Error {
  override readonly name = 'DemoInterrupted';
  constructor(readonly signalName: string) {
    super(`interrupted (${signalName}): the local run was stopped and its files removed`);
  }
}
