export { MarshalMetrics, type MetricsSources } from './marshal-metrics.js';
export { instrumentSlackClient } from './instrument-slack-client.js';
export { metricsRoute, routes } from './metrics-route.js';
