import { renderLineChart } from '../charts/index.js';
import { adoptionSeries, type HostRecord } from './history.js';

/**
 * The chart posted at the end of a run: the percentage of each data center on the release over time,
 * one line per data center, from the release's whole history (earlier runs too). Null before any host
 * was upgraded: there is nothing to draw.
 */
export async function adoptionChart(
  release: string,
  records: readonly HostRecord[],
  hosts: readonly { name: string; dc: string }[],
): Promise<{ png: Buffer; altText: string } | null> {
  const series = adoptionSeries(records, hosts);
  if (series.length === 0) return null;
  const png = await renderLineChart({
    title: `Hosts on ${release}, % of each data center`,
    xLabel: 'time (UTC)',
    yLabel: `% on ${release}`,
    xType: 'time',
    yDomain: [0, 100],
    thresholds: [{ label: 'whole data center', y: 100 }],
    series: series.map((s) => ({
      name: s.dc,
      points: s.points.map((p) => ({ x: new Date(p.at), y: p.percent })),
    })),
  });
  const latest = series.map((s) => `${s.dc} ${s.points.at(-1)?.percent ?? 0}%`).join(', ');
  return { png, altText: `Share of each data center on ${release} over time; now ${latest}` };
}
