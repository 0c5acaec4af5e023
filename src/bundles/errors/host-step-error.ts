// A host step's failure is generic to every workflow: the class lives with the hosts.
export { HostStepError } from '../../hosts/errors/host-step-error.js';
