/** Stops a long-running command cleanly on SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdown(stop: () => Promise<void>, log: (msg: string) => void): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    log(`${signal}: stopping (again to force)`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`could not stop cleanly: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
