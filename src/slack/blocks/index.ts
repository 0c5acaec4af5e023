export * from './action-ids.js';
export type { Block, SlackMessage, Button, TextObject } from './block-kit.js';
export { BLOCK_LIMITS, fitMessage, summariseList, truncate } from './limits.js';
export { escapeMrkdwn, outputExcerpt } from './mrkdwn.js';
export { formatDuration, runFacts, type RenderContext, type RunFacts } from './run-facts.js';
export { renderRunParent } from './run-parent.js';
export { renderStageDone, renderRunControl, renderFinalSummary, renderRollbackDone } from './milestones.js';
export { describeRollback } from './rollback-text.js';
export {
  renderApprovalCard,
  renderDecidedCard,
  renderSupersededCard,
  ApprovalEvidence,
  type GateView,
} from './approval-card.js';
export { runControlButtons } from './run-controls.js';
export { renderEphemeralError, renderErrorForUser, type ErrorView } from './ephemeral-error.js';
export { renderAlert, renderNote } from './alert.js';
export { freezeBanner } from './freeze-banner.js';
