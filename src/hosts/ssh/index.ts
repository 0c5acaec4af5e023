export { SshExecutor, type SshExecutorDeps } from './ssh-executor.js';
export { SshExecutorSettings, type SshExecutorSettingsInput } from './settings.js';
// Generic over any HostExecutor: it lives with the host building blocks.
export { waitUntilReachable } from '../blocks/wait-until-reachable.js';
export { modernAlgorithms } from './algorithms.js';
