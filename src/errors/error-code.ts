/**
 * Every failure Marshal reports carries one of these codes, so Slack replies, CLI output and logs can
 * switch on a code instead of parsing messages. Grouped by area; add new codes to the area they belong to.
 */
export const ErrorCode = {
  // --- input and configuration
  InvalidInput: 'invalid_input',
  InvalidConfig: 'invalid_config',

  // --- engine
  InvalidWorkflow: 'invalid_workflow',
  UnknownWorkflow: 'unknown_workflow',
  UnknownRun: 'unknown_run',
  TaskFailed: 'task_failed',
  TaskTimeout: 'task_timeout',
  LockConflict: 'lock_conflict',
  GateClosed: 'gate_closed',
  ApprovalRefused: 'approval_refused',
  FailureBudgetExceeded: 'failure_budget_exceeded',
  RunAborted: 'run_aborted',
  RunStateConflict: 'run_state_conflict',
  RedisMisconfigured: 'redis_misconfigured',
  /** Redis does not answer at REDIS_URL (down, wrong address, refused, timed out). */
  RedisUnavailable: 'redis_unavailable',
  /** A run's state vanished from Redis (a restart without persistence, a flush) while work was under way. */
  RunLost: 'run_lost',
  /** BullMQ gave up on an engine job (its worker kept dying, or it kept failing): the work it stood for failed. */
  JobAbandoned: 'job_abandoned',
  /** A step or task attempt lost its job (lock lost, taken over, ledger moved on): it may change nothing more. */
  AttemptSuperseded: 'attempt_superseded',

  // --- audit
  /** An audit sink (file, HTTP) did not take a record: the record is not safely kept there. */
  AuditSinkFailed: 'audit_sink_failed',

  // --- hosts and inventory
  HostUnreachable: 'host_unreachable',
  HostKeyRejected: 'host_key_rejected',
  CommandFailed: 'command_failed',
  CommandTimeout: 'command_timeout',
  UnsafeArgument: 'unsafe_argument',
  TransferFailed: 'transfer_failed',
  SshNegotiationFailed: 'ssh_negotiation_failed',
  SshAuthFailed: 'ssh_auth_failed',
  InvalidInventory: 'invalid_inventory',
  UnknownHost: 'unknown_host',
  InvalidSelector: 'invalid_selector',
  NoHostsMatched: 'no_hosts_matched',

  // --- slack
  SlackRequestRejected: 'slack_request_rejected',
  NotAuthorized: 'not_authorized',
  SlackApiError: 'slack_api_error',

  // --- workflows
  InvalidBundle: 'invalid_bundle',
  PrecheckFailed: 'precheck_failed',
  HealthCheckFailed: 'health_check_failed',
  /** The application's own config check rejected a bundle's file on a host (nothing was replaced). */
  ConfigCheckFailed: 'config_check_failed',
  /** A host's file does not have the checksum Marshal just wrote (or restored). */
  ChecksumMismatch: 'checksum_mismatch',
  /** A host answered a probe (`uname -r`, `/etc/os-release`, `df`) with output Marshal cannot read. */
  UnexpectedHostOutput: 'unexpected_host_output',
  /** A load balancer's runtime API refused a command, did not answer, or does not know the backend/server. */
  LoadBalancerFailed: 'load_balancer_failed',

  // --- certificates
  /** A certificate definition (`certificates/<name>/certificate.yaml`) Marshal refuses. */
  InvalidCertificateDefinition: 'invalid_certificate_definition',
  /** A new certificate (issued or provided) broke a validation rule; no host was touched. */
  CertificateRejected: 'certificate_rejected',
  /** The ACME server did not issue: an order, a challenge or finalisation failed. */
  AcmeOrderFailed: 'acme_order_failed',
  /** The TLS handshake with a served endpoint did not give its certificate (refused, timeout, handshake). */
  TlsProbeFailed: 'tls_probe_failed',
  /** Sealing or opening a secret failed: no key in the environment, a bad key, or tampered data. */
  SecretSealFailed: 'secret_seal_failed',

  // --- traffic and DR drills
  InvalidScenario: 'invalid_scenario',
  UnknownScenario: 'unknown_scenario',
  /** A DNS dynamic update (RFC 2136) was refused: prerequisites, TSIG key, or the server's answer. */
  DnsUpdateFailed: 'dns_update_failed',
  /** A replica is not connected, or lags more than the scenario allows. */
  ReplicationUnhealthy: 'replication_unhealthy',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
