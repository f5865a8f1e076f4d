// The growth chart of docs/benchmarks.md: an SVG drawn here (size on a log axis, milliseconds on a
// linear one), turned into a PNG by Debian's headless Chromium (nothing downloaded).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GrowthPoint, GrowthRead } from './results.js';

const WIDTH = 800;
const HEIGHT = 450;
const MARGIN = { left: 70, right: 230, top: 40, bottom: 60 };
const COLOURS: Record<GrowthRead, string> = { search: '#1f77b4', week: '#2ca02c', availability: '#d62728' };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function growthSvg(points: GrowthPoint[], title: string): string {
  const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const reads = [...new Set(points.map((p) => p.read))];
  const values = points.flatMap((p) => [p.p50, p.executionMs]).filter(Number.isFinite);
  const top = Math.max(1, ...values) * 1.15;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const [lo, hi] = [Math.log10(sizes[0] ?? 1), Math.log10(sizes.at(-1) ?? 10)];
  const x = (size: number) => MARGIN.left + (hi === lo ? plotW / 2 : ((Math.log10(size) - lo) / (hi - lo)) * plotW);
  const y = (value: number) => MARGIN.top + plotH - (value / top) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const v = (top / 5) * i;
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${y(v) + 4}" text-anchor="end">${v < 10 ? v.toFixed(1) : v.toFixed(0)}</text>`);
  }
  for (const size of sizes) {
    out.push(`<line x1="${x(size)}" x2="${x(size)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${x(size)}" y="${MARGIN.top + plotH + 20}" text-anchor="middle">${size.toLocaleString('en')}</text>`);
  }
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">rows (clients of the owner; appointments in the calendar), log scale</text>`);
  out.push(`<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">milliseconds</text>`);
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="black"/>`);
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="black"/>`);
  reads.forEach((read, i) => {
    const series = points.filter((p) => p.read === read).sort((a, b) => a.size - b.size);
    const line = (value: (p: GrowthPoint) => number, dash: string) =>
      `<polyline fill="none" stroke="${COLOURS[read]}" stroke-width="2.5" ${dash} points="${series.map((p) => `${x(p.size)},${y(value(p))}`).join(' ')}"/>` +
      series.map((p) => `<circle cx="${x(p.size)}" cy="${y(value(p))}" r="3.5" fill="${COLOURS[read]}"/>`).join('');
    out.push(line((p) => p.p50, ''));
    out.push(line((p) => p.executionMs, 'stroke-dasharray="6 4"'));
    const ly = MARGIN.top + 10 + i * 44;
    const lx = MARGIN.left + plotW + 20;
    out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${COLOURS[read]}" stroke-width="2.5"/><text x="${lx + 32}" y="${ly + 4}">${read}: request p50</text>`);
    out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly + 18}" y2="${ly + 18}" stroke="${COLOURS[read]}" stroke-width="2.5" stroke-dasharray="6 4"/><text x="${lx + 32}" y="${ly + 22}">${read}: SQL execution</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Writes the chart as a PNG at `file`; the reason when it cannot (no Chromium). */
export function writeGrowthPng(file: string, points: GrowthPoint[], title: string): string | undefined {
  const browser = CHROMIUM.find((path) => existsSync(path));
  if (!browser) return `no Chromium at ${CHROMIUM.join(' or ')}: the chart was not drawn`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-chart-'));
  try {
    const svg = join(dir, 'chart.svg');
    writeFileSync(svg, growthSvg(points, title));
    execFileSync(
      browser,
      ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`, `--window-size=${WIDTH},${HEIGHT}`, `--screenshot=${file}`, `file://${svg}`],
      { stdio: 'ignore', timeout: 60_000 },
    );
    return existsSync(file) ? undefined : 'Chromium wrote no screenshot';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
