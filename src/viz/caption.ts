/** Captions that must fit a picture's width: shortened with "..." rather than running off the edge. */
import { textWidth } from './font.js';

export function fitText(s: string, size: number, maxWidth: number): string {
  if (textWidth(s, size) <= maxWidth) return s;
  let cut = s;
  while (cut.length > 0 && textWidth(`${cut}...`, size) > maxWidth) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}...`;
}

/** A number in at most `digits` significant digits, without trailing zeros ("0.153", "12", "3.4e-05"). */
export function shortNumber(v: number, digits = 3): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}
