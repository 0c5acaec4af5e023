export { SshExecutor, type SshExecutorDeps } from './ssh-executor.js';
export { SshExecutorSettings, type SshExecutorSettingsInput } from './settings.js';
export { waitUntilReachable } from './wait-until-reachable.js';
export { modernAlgorithms } from './algorithms.js';
