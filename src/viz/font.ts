/**
 * Text as stroked vector paths in the Hershey sans font (hershey_sans.ts): the same strokes in SVG and in
 * PNG on every machine, with no system font involved.
 *
 * Sizes are cap heights in pixels: `size` 12 makes a capital letter or a digit 12 px tall. `y` is the
 * baseline (as in SVG's <text>); lower-case descenders (g, p, y) reach about 0.33 × size below it, brackets
 * about 0.19 × size above the cap height.
 */
import { ValueError } from '../errors.js';
import { HERSHEY_BASELINE, HERSHEY_CAP_HEIGHT, HERSHEY_SANS, type HersheyGlyph } from './hershey_sans.js';

export type TextAnchor = 'start' | 'middle' | 'end';
export const TEXT_ANCHORS: readonly TextAnchor[] = ['start', 'middle', 'end'];

/** How far below the baseline descenders reach, as a fraction of the size (cap height). */
export const DESCENT = (29 - HERSHEY_BASELINE) / HERSHEY_CAP_HEIGHT;

type Point = readonly [number, number];

/** A glyph's strokes as polylines in glyph units, parsed once per character. */
const parsed = new Map<string, Point[][]>();

function glyphFor(ch: string): { glyph: HersheyGlyph; key: string } {
  const glyph = HERSHEY_SANS[ch];
  return glyph === undefined ? { glyph: HERSHEY_SANS['?'], key: '?' } : { glyph, key: ch };
}

/** Parses the table's path subset: `M x,y L x,y x,y …` repeated (absolute move-to and line-to only). */
function strokesOf(key: string, d: string): Point[][] {
  const cached = parsed.get(key);
  if (cached) return cached;
  const strokes: Point[][] = [];
  for (const part of d.split('M').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const pts = part.replace('L', ' ').trim().split(/\s+/).map((xy) => {
      const [x, y] = xy.split(',').map(Number);
      return [x, y] as Point;
    });
    strokes.push(pts);
  }
  parsed.set(key, strokes);
  return strokes;
}

function checkSize(size: number): void {
  if (!(typeof size === 'number' && Number.isFinite(size) && size > 0)) {
    throw new ValueError(`text size must be a positive number of pixels, got ${size}`);
  }
}

/** Width in pixels of `s` drawn at `size` (characters outside ASCII 32..126 count as '?'). */
export function textWidth(s: string, size: number): number {
  checkSize(size);
  let units = 0;
  for (const ch of s) units += 2 * glyphFor(ch).glyph.halfAdvance;
  return (units * size) / HERSHEY_CAP_HEIGHT;
}

/** Stroke width that keeps Hershey text legible at this size (about a tenth of the cap height, at least 1 px). */
export function textStrokeWidth(size: number): number {
  return Math.max(1, Math.round(size * 0.1 * 4) / 4);
}

/**
 * The strokes of `s` as polylines in pixels: `(x, y)` is the anchor point on the baseline, `rotate`
 * (degrees, clockwise as in SVG) turns the text about that point.
 */
export function textStrokes(s: string, x: number, y: number, size: number, anchor: TextAnchor = 'start', rotate = 0): Point[][] {
  checkSize(size);
  if (!TEXT_ANCHORS.includes(anchor)) throw new ValueError(`text anchor must be one of ${TEXT_ANCHORS.join(', ')}, got ${JSON.stringify(anchor)}`);
  const k = size / HERSHEY_CAP_HEIGHT;
  const width = textWidth(s, size);
  let pen = anchor === 'start' ? 0 : anchor === 'middle' ? -width / 2 : -width;
  const rad = (rotate * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const out: Point[][] = [];
  for (const ch of s) {
    const { glyph, key } = glyphFor(ch);
    for (const stroke of strokesOf(key, glyph.d)) {
      out.push(stroke.map(([gx, gy]) => {
        const dx = pen + gx * k;
        const dy = (gy - HERSHEY_BASELINE) * k;
        return [x + dx * cos - dy * sin, y + dx * sin + dy * cos] as Point;
      }));
    }
    pen += 2 * glyph.halfAdvance * k;
  }
  return out;
}

/** Formats a coordinate with at most 2 decimals (no trailing zeros), for compact SVG paths. */
export function fmt(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** SVG path data for `s` (see {@link textStrokes}); draw it stroked, unfilled, with round caps and joins. */
export function textPath(s: string, x: number, y: number, size: number, anchor: TextAnchor = 'start', rotate = 0): string {
  return textStrokes(s, x, y, size, anchor, rotate)
    .map((pts) => {
      // A one-point stroke (none in this font today) still shows as a dot with round caps.
      const list = pts.length === 1 ? [pts[0], pts[0]] : pts;
      return `M${fmt(list[0][0])} ${fmt(list[0][1])}L${list.slice(1).map((p) => `${fmt(p[0])} ${fmt(p[1])}`).join(' ')}`;
    })
    .join('');
}
