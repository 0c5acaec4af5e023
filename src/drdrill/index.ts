/**
 * The DR drill's library, as the drill's workflow modules (workflows/dr-drill*.ts) use it: scenarios,
 * traffic controls, the run's journal and scorecard, the site's settings. The modules import this entry
 * and the authoring entry, nothing else of Marshal's.
 */
export type { DrillServices } from './drill-services.js';
export { createDrillServices } from './drill-services.js';
export type { DrillTraffic, Finding } from './drill-traffic.js';
export { ScenarioSchema, type Scenario, type CheckSpec } from './scenario/scenario-schema.js';
export { LocalName } from './scenario/names.js';
export { DrillRefused } from './errors/drill-refused.js';
export { DrillCheckFailed } from './errors/drill-check-failed.js';
export { activeFreeze } from './site/freeze-window.js';
export {
  DrillJournal,
  planSteps,
  readJournal,
  stepAction,
  type DrillStep,
  type CheckOutcome,
  type LoadSummary,
} from './journal/drill-journal.js';
export { Scorecard, describeScorecard, historyTable, scoreDrill } from './journal/scorecard.js';
export { historyChart } from './journal/history-chart.js';
export { summarizeWindow, restoredAt, type TimedSample } from '../checks/load-generator.js';
export type { HttpCheckResult } from '../checks/http-check.js';
export { planWeights } from '../traffic/weights/plan-weights.js';
