export { CommandTimeout } from './command-timeout.js';
export { HostKeyRejected } from './host-key-rejected.js';
export { HostUnreachable } from './host-unreachable.js';
export { SshAuthFailed } from './ssh-auth-failed.js';
export { SshNegotiationFailed } from './ssh-negotiation-failed.js';
export { TransferFailed } from './transfer-failed.js';
export { UnsafeArgument } from './unsafe-argument.js';
export { HostStepError } from './host-step-error.js';
