// Charts with uPlot (from its WebJar): per-minute series of the console, and sparklines.
import uPlot from '/console/vendor/uplot/uPlot.esm.js';

const COLORS = { Invocations: '#2563eb', Errors: '#dc2626', Throttles: '#d97706', 'Cold starts': '#7c3aed', p50: '#059669', p99: '#c2410c' };

/** A line chart of named series over epoch-second x values, drawn into `el` (replacing what is there). */
export function lineChart(el, title, xs, series, unit = '') {
  el.replaceChildren();
  const width = Math.max(320, el.clientWidth || 600);
  const opts = {
    title, width, height: 200,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    axes: [{}, { values: (u, ticks) => ticks.map((t) => t + unit) }],
    series: [{}, ...Object.keys(series).map((name) => ({ label: name, stroke: COLORS[name] || '#334155', width: 1.5, spanGaps: false, points: { show: true, size: 4 } }))],
  };
  return new uPlot(opts, [xs, ...Object.values(series)], el);
}

/** Bars of daily values between `from` and `to` (epoch seconds), labelled with `format`. */
export function barChart(el, title, xs, label, values, from, to, format) {
  el.replaceChildren();
  const opts = {
    title, width: Math.max(320, el.clientWidth || 600), height: 200,
    scales: { x: { time: true, range: () => [from, to] }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [{}, { size: 80, values: (u, ticks) => ticks.map(format) }],
    series: [{}, { label, stroke: '#c2410c', fill: 'rgba(194,65,12,.25)', paths: uPlot.paths.bars({ size: [0.6, 60] }), value: (u, v) => (v == null ? '--' : format(v)) }],
  };
  return new uPlot(opts, [xs, values], el);
}

/** A 130×28 sparkline of invocations (and errors in red). */
export function sparkline(el, xs, invocations, errors) {
  el.replaceChildren();
  const opts = {
    width: 130, height: 28, legend: { show: false }, cursor: { show: false }, select: { show: false },
    scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    axes: [{ show: false }, { show: false }],
    series: [{}, { stroke: '#2563eb', width: 1, fill: 'rgba(37,99,235,.12)' }, { stroke: '#dc2626', width: 1 }],
  };
  return new uPlot(opts, [xs, invocations, errors], el);
}
