import { Resvg } from '@resvg/resvg-js';
import { parse, View, type Spec } from 'vega';
import { z } from 'zod';

/** One line: a name for the legend and its points, in x order or not (they are drawn in x order). */
const Series = z.object({
  name: z.string().min(1),
  points: z.array(z.object({ x: z.union([z.number().finite(), z.date()]), y: z.number().finite() })),
});

/** A horizontal reference line, e.g. an RTO target or 100 % of a data center. */
const Threshold = z.object({ label: z.string().min(1), y: z.number().finite() });

/** What a line chart shows: validated, so a workflow's mistake is an error, not a blank image. */
export const LineChartSpec = z
  .object({
    title: z.string().min(1),
    xLabel: z.string().min(1),
    yLabel: z.string().min(1),
    /** `time`: x values are Dates or epoch milliseconds; `linear`: plain numbers (e.g. drill number). */
    xType: z.enum(['time', 'linear']).default('time'),
    /** Fixes the y axis, e.g. [0, 100] for percentages; otherwise it fits the data. */
    yDomain: z.tuple([z.number().finite(), z.number().finite()]).optional(),
    thresholds: z.array(Threshold).default([]),
    width: z.number().int().min(200).max(2000).default(720),
    height: z.number().int().min(120).max(1200).default(320),
    series: z.array(Series).min(1),
  })
  .refine((spec) => spec.series.some((s) => s.points.length > 0), {
    message: 'a chart needs at least one point in one series',
    path: ['series'],
  });
export type LineChartSpec = z.input<typeof LineChartSpec>;

/** The chart as SVG text (what the PNG is rendered from; also fine for the web console). */
export async function renderLineChartSvg(input: LineChartSpec): Promise<string> {
  const spec = LineChartSpec.parse(input);
  const values = spec.series.flatMap((series) =>
    series.points
      .map((p) => ({ series: series.name, x: p.x instanceof Date ? p.x.getTime() : p.x, y: p.y }))
      .sort((a, b) => a.x - b.x),
  );
  const vegaSpec: Spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: spec.width,
    height: spec.height,
    padding: 12,
    background: 'white',
    title: { text: spec.title, fontSize: 15 },
    data: [
      { name: 'points', values },
      { name: 'thresholds', values: spec.thresholds },
    ],
    scales: [
      spec.xType === 'time'
        ? { name: 'x', type: 'time', domain: { data: 'points', field: 'x' }, range: 'width' }
        : {
            name: 'x',
            type: 'linear',
            domain: { data: 'points', field: 'x' },
            range: 'width',
            zero: false,
            nice: false,
          },
      {
        name: 'y',
        type: 'linear',
        range: 'height',
        nice: true,
        ...(spec.yDomain
          ? { domain: spec.yDomain }
          : {
              domain: {
                fields: [
                  { data: 'points', field: 'y' },
                  { data: 'thresholds', field: 'y' },
                ],
              },
              zero: true,
            }),
      },
      { name: 'color', type: 'ordinal', range: 'category', domain: { data: 'points', field: 'series' } },
    ],
    axes: [
      {
        orient: 'bottom',
        scale: 'x',
        title: spec.xLabel,
        ...(spec.xType === 'linear' ? { tickMinStep: 1, format: 'd' } : {}),
      },
      { orient: 'left', scale: 'y', title: spec.yLabel, grid: true },
    ],
    legends: spec.series.length > 1 ? [{ stroke: 'color', title: '', orient: 'bottom' }] : [],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'line', data: 'points', groupby: 'series' } },
        marks: [
          {
            type: 'line',
            from: { data: 'line' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'x' },
                y: { scale: 'y', field: 'y' },
                stroke: { scale: 'color', field: 'series' },
                strokeWidth: { value: 2 },
              },
            },
          },
          {
            type: 'symbol',
            from: { data: 'line' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'x' },
                y: { scale: 'y', field: 'y' },
                fill: { scale: 'color', field: 'series' },
                size: { value: 30 },
              },
            },
          },
        ],
      },
      {
        type: 'rule',
        from: { data: 'thresholds' },
        encode: {
          enter: {
            x: { value: 0 },
            x2: { signal: 'width' },
            y: { scale: 'y', field: 'y' },
            stroke: { value: '#c0392b' },
            strokeDash: { value: [6, 4] },
          },
        },
      },
      {
        type: 'text',
        from: { data: 'thresholds' },
        encode: {
          enter: {
            x: { signal: 'width' },
            y: { scale: 'y', field: 'y', offset: -4 },
            align: { value: 'right' },
            text: { field: 'label' },
            fill: { value: '#c0392b' },
          },
        },
      },
    ],
  };
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The chart as a PNG, for a Slack thread (`Notifier.image`). Text is drawn with the system's fonts
 * (DejaVu Sans on Debian: the image installs fonts-dejavu-core).
 */
export async function renderLineChart(input: LineChartSpec): Promise<Buffer> {
  const svg = await renderLineChartSvg(input);
  const png = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: 2 },
  }).render();
  return png.asPng();
}
