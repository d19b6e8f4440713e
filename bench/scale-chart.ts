// A grouped bar chart of latencies as a hand-built SVG (no dependencies): one group per scenario,
// one bar per series (server and protocol), a logarithmic y axis in decades of milliseconds, value
// labels on the bars, "not run" where a series was skipped, labelled axes and a legend.

export interface Bar {
  scenario: string;
  series: string;
  /** Milliseconds (> 0). */
  value: number;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  bars: Bar[];
  /** Scenario/series slots that were not measured (drawn as "not run"). */
  notRun?: { scenario: string; series: string }[];
  /** Scenarios in axis order; by default, in order of appearance. */
  scenarios?: string[];
  /** Series in legend order with their colours; by default, in order of appearance with a stock palette. */
  series?: { name: string; color: string }[];
}

const PALETTE = ['#1f5fa6', '#d0661e', '#3d8b4f', '#7fb0e0', '#f2b07e', '#98d0a3', '#9b59b6', '#c0392b'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 10 ms, 100 ms, 1 s, 12.3 s… */
function formatMs(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number(ms.toPrecision(3))} ms`;
}

export function renderChart(chart: Chart): string {
  const notRun = chart.notRun ?? [];
  const slots = [...chart.bars, ...notRun];
  const scenarios = chart.scenarios ?? [...new Set(slots.map((b) => b.scenario))];
  const names = chart.series?.map((s) => s.name) ?? [...new Set(slots.map((b) => b.series))];
  const colorOf = (name: string): string => chart.series?.find((s) => s.name === name)?.color ?? PALETTE[names.indexOf(name) % PALETTE.length] ?? '#888';

  const values = chart.bars.map((b) => b.value).filter((v) => v > 0);
  // A decade below the shortest bar's half, so that no bar starts just under its own value.
  const lo = values.length > 0 ? Math.floor(Math.log10(Math.min(...values) / 2)) : 1;
  const hi = values.length > 0 ? Math.max(Math.floor(Math.log10(Math.max(...values))) + 1, lo + 1) : lo + 1; // the tallest bar stays below the top

  const barWidth = 20;
  const groupWidth = names.length * barWidth + 30;
  const left = 80;
  const top = 50;
  const plotHeight = 300;
  const plotWidth = Math.max(scenarios.length * groupWidth + 20, 200);
  const legendX = left + plotWidth + 20;
  const width = legendX + 170;
  const height = top + plotHeight + 60;
  const bottom = top + plotHeight;
  const y = (v: number): number => bottom - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotHeight;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  // Grid: a labelled line per decade, faint lines at 2× and 5×.
  for (let d = lo; d <= hi; d++) {
    const tick = 10 ** d;
    out.push(`<line x1="${left - 4}" y1="${y(tick)}" x2="${left + plotWidth}" y2="${y(tick)}" stroke="#ccc"/>`);
    out.push(`<text x="${left - 7}" y="${y(tick) + 4}" text-anchor="end">${formatMs(tick)}</text>`);
    if (d === hi) continue;
    for (const m of [2, 5]) out.push(`<line x1="${left}" y1="${y(m * tick)}" x2="${left + plotWidth}" y2="${y(m * tick)}" stroke="#eee"/>`);
  }
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`);
  out.push(`<line x1="${left}" y1="${bottom}" x2="${left + plotWidth}" y2="${bottom}" stroke="#333"/>`);
  out.push(`<text transform="translate(18 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`);
  out.push(`<text x="${left + plotWidth / 2}" y="${bottom + 42}" text-anchor="middle">${escape(chart.xLabel)}</text>`);

  scenarios.forEach((scenario, g) => {
    const x0 = left + 15 + g * groupWidth;
    names.forEach((name, s) => {
      const x = x0 + s * barWidth;
      const middle = x + (barWidth - 4) / 2;
      const bar = chart.bars.find((b) => b.scenario === scenario && b.series === name);
      if (bar) {
        const yTop = y(bar.value);
        out.push(`<rect x="${x}" y="${yTop}" width="${barWidth - 4}" height="${bottom - yTop}" fill="${colorOf(name)}"><title>${escape(`${name}, ${scenario}: ${formatMs(bar.value)}`)}</title></rect>`);
        out.push(`<text transform="translate(${middle + 3} ${yTop - 3}) rotate(-90)" font-size="9">${escape(formatMs(bar.value))}</text>`);
      } else if (notRun.some((n) => n.scenario === scenario && n.series === name)) {
        out.push(`<text transform="translate(${middle + 3} ${bottom - 3}) rotate(-90)" font-size="9" fill="#888">not run</text>`);
      }
    });
    out.push(`<text x="${x0 + (names.length * barWidth) / 2}" y="${bottom + 18}" text-anchor="middle">${escape(scenario)}</text>`);
  });

  names.forEach((name, s) => {
    const ly = top + s * 18;
    out.push(`<rect x="${legendX}" y="${ly}" width="12" height="12" fill="${colorOf(name)}"/>`);
    out.push(`<text x="${legendX + 17}" y="${ly + 10}">${escape(name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
