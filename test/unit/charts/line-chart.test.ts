import { describe, expect, it } from 'vitest';
import { renderLineChart, renderLineChartSvg } from '../../../src/charts/index.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, which always follows the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const rollout = {
  title: 'dc1 on 2026.11',
  xLabel: 'time',
  yLabel: '% of hosts',
  yDomain: [0, 100] as [number, number],
  series: [
    {
      name: 'dc1',
      points: [
        { x: new Date('2026-11-27T10:00:00Z'), y: 0 },
        { x: new Date('2026-11-27T10:05:00Z'), y: 40 },
        { x: new Date('2026-11-27T10:10:00Z'), y: 100 },
      ],
    },
    { name: 'dc2', points: [{ x: new Date('2026-11-27T10:03:00Z'), y: 10 }] },
  ],
};

describe('line charts', () => {
  it('draws the title, the axis titles, every series in the legend and a threshold label', async () => {
    const svg = await renderLineChartSvg({ ...rollout, thresholds: [{ label: 'target 100%', y: 100 }] });
    for (const text of ['dc1 on 2026.11', '% of hosts', 'time', 'dc1', 'dc2', 'target 100%'])
      expect(svg).toContain(`>${text}<`);
    // One line per series.
    expect(svg.match(/<path[^>]*class="[^"]*"[^>]*>/g) ?? []).not.toHaveLength(0);
  });

  it('renders a PNG at twice the chart size, with pixels beyond the background', async () => {
    const png = await renderLineChart({ ...rollout, width: 400, height: 200 });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const { width, height } = pngSize(png);
    // 400×200 plus padding, axes and title, zoomed 2×.
    expect(width).toBeGreaterThan(800);
    expect(height).toBeGreaterThan(400);
    // A blank white image of that size compresses to well under 2 KB; a drawn chart does not.
    expect(png.length).toBeGreaterThan(8_000);
  });

  it('places points by their value: a higher y is drawn higher', async () => {
    const svg = await renderLineChartSvg({
      title: 't',
      xLabel: 'drill',
      yLabel: 'seconds',
      xType: 'linear',
      series: [
        {
          name: 'rto',
          points: [
            { x: 1, y: 10 },
            { x: 2, y: 90 },
          ],
        },
      ],
    });
    const line = /<path[^>]*d="M([\d.]+),([\d.]+)L([\d.]+),([\d.]+)"/.exec(svg);
    expect(line).not.toBeNull();
    const [, x1, y1, x2, y2] = line!.map(Number);
    expect(x2).toBeGreaterThan(x1!);
    // SVG y grows downwards: the 90 is above the 10.
    expect(y2).toBeLessThan(y1!);
  });

  it('refuses a chart with no points, naming the field', async () => {
    await expect(
      renderLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [] }] }),
    ).rejects.toThrow(/series[\s\S]*at least one point/);
  });
});
