// A grouped bar chart as a hand-built SVG (no dependencies): one group per scenario, one bar per
// series (server), value labels on the bars, a logarithmic axis when values span > 20×.

export interface Bar {
  scenario: string;
  series: string;
  value: number;
}

const COLORS = ['#2f6fb0', '#e07b39', '#5aa469', '#9b59b6', '#c0392b'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderChart(bars: Bar[], title: string): string {
  const scenarios = [...new Set(bars.map((b) => b.scenario))];
  const series = [...new Set(bars.map((b) => b.series))];
  const values = bars.map((b) => b.value).filter((v) => v > 0);
  const max = Math.max(...values, 1);
  const min = Math.min(...values, max);
  const log = max / min > 20;
  const barWidth = 28;
  const groupWidth = series.length * barWidth + 30;
  const left = 70;
  const top = 40;
  const plotHeight = 260;
  const width = Math.max(left + scenarios.length * groupWidth + 20, left + series.length * 150, 520);
  const height = top + plotHeight + 70;
  const lo = log ? Math.floor(Math.log10(min)) : 0;
  const hi = log ? Math.ceil(Math.log10(max)) : max * 1.1;
  const y = (v: number): number => top + plotHeight - (log ? (Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo) : v / hi) * plotHeight;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="13" font-weight="bold">${escape(title)}${log ? ' (log scale)' : ''}</text>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top + plotHeight}" x2="${width - 10}" y2="${top + plotHeight}" stroke="#333"/>`,
  ];
  const ticks = log ? Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i)) : Array.from({ length: 5 }, (_, i) => (hi * (i + 1)) / 5);
  for (const tick of ticks) {
    out.push(`<line x1="${left - 4}" y1="${y(tick)}" x2="${width - 10}" y2="${y(tick)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick >= 100 ? Math.round(tick) : Number(tick.toPrecision(2))}</text>`);
  }
  scenarios.forEach((scenario, g) => {
    const x0 = left + 15 + g * groupWidth;
    series.forEach((name, s) => {
      const bar = bars.find((b) => b.scenario === scenario && b.series === name);
      if (!bar) return;
      const x = x0 + s * barWidth;
      const yTop = y(bar.value);
      out.push(`<rect x="${x}" y="${yTop}" width="${barWidth - 4}" height="${top + plotHeight - yTop}" fill="${COLORS[s % COLORS.length] ?? '#888'}"/>`);
      out.push(`<text x="${x + (barWidth - 4) / 2}" y="${yTop - 3}" text-anchor="middle" font-size="9">${Math.round(bar.value)}</text>`);
    });
    out.push(`<text x="${x0 + (series.length * barWidth) / 2}" y="${top + plotHeight + 16}" text-anchor="middle">${escape(scenario)}</text>`);
  });
  out.push(`<text x="${left}" y="${top + plotHeight + 34}" fill="#555">Ingresses × clients</text>`);
  series.forEach((name, s) => {
    const x = left + s * 150;
    out.push(`<rect x="${x}" y="${height - 22}" width="12" height="12" fill="${COLORS[s % COLORS.length] ?? '#888'}"/>`);
    out.push(`<text x="${x + 16}" y="${height - 12}">${escape(name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
