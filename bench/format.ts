/** The bench's printed tables: GitHub Markdown with aligned columns (readable in a terminal too). */

/** 3 significant digits below 100, whole numbers with thousands separators above. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(2);
}

/** A ratio as convkit's advantage: "2.4×", "0.31×". */
export function formatRatio(r: number): string {
  if (!Number.isFinite(r) || r <= 0) return '–';
  if (r >= 100) return `${Math.round(r).toLocaleString('en-US')}×`;
  if (r >= 10) return `${r.toFixed(0)}×`;
  return `${r.toPrecision(2)}×`;
}

/** Rows of cells → a Markdown table; `right` marks right-aligned columns (numbers). */
export function markdownTable(header: string[], rows: string[][], right: boolean[] = header.map((_, i) => i > 0)): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length), 3));
  const pad = (s: string, i: number) => (right[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c ?? '', i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
