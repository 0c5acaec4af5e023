import { renderLineChart } from '../../charts/index.js';
import type { Scorecard } from './scorecard.js';

/**
 * The trend of a scenario's drills as a PNG: measured RTO and rollback time per drill (seconds), with
 * the RTO target as a reference line. A drill that never reached 100% has no RTO point.
 */
export function historyChart(scenario: string, cards: readonly Scorecard[]): Promise<Buffer> {
  const at = (c: Scorecard): number => Date.parse(c.finishedAt);
  const target = cards.at(-1)?.rtoTargetMs ?? 0;
  return renderLineChart({
    title: `DR drills of ${scenario}: RTO and rollback time`,
    xLabel: 'drill finished',
    yLabel: 'seconds',
    xType: 'time',
    thresholds: target > 0 ? [{ label: 'RTO target', y: target / 1000 }] : [],
    series: [
      {
        name: 'RTO',
        points: cards.flatMap((c) => (c.rtoMs === null ? [] : [{ x: at(c), y: c.rtoMs / 1000 }])),
      },
      {
        name: 'rollback',
        points: cards.flatMap((c) => (c.rollbackMs === null ? [] : [{ x: at(c), y: c.rollbackMs / 1000 }])),
      },
      // Always one point per drill, so a history of only rolled-back drills still draws.
      {
        name: 'users seeing errors (%)',
        points: cards.map((c) => ({ x: at(c), y: c.users.errorRate * 100 })),
      },
    ],
  });
}
