export { LineChartSpec, renderLineChart, renderLineChartSvg } from './line-chart.js';
