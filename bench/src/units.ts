// How numbers are written in the verdicts and the tables: milliseconds, percentages, MB, counts.
export const mb = (bytes: number) => bytes / 2 ** 20;
export const ms = (value: number) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)) : '–');
export const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
export const int = (value: number) => Math.round(value).toLocaleString('en');
