/**
 * Figure: a fixed-size picture made of raster images (feature maps, filters, digits) and vector shapes
 * (frames, lines, arrows, text as Hershey strokes), written as SVG or PNG.
 *
 * Draw order is call order in both formats: later calls paint over earlier ones. For PNG the figure is
 * composed in JavaScript on an RGBA canvas: rasters are copied pixel for pixel (each source pixel a
 * scale × scale block, nearest neighbour, so an opaque raster's values appear EXACTLY in the file), and
 * each run of consecutive vector shapes is rendered by sharp (librsvg) as a transparent layer and
 * alpha-blended over what is below. A figure without vector shapes never touches sharp.
 *
 * Coordinates are pixels, x to the right, y down, (0, 0) the top-left corner of the top-left pixel; a
 * pixel (i, j) covers [i, i + 1) × [j, j + 1). A 1-px line along the edge of a raster therefore lies on
 * half-pixel coordinates (x − 0.5) to cover a whole pixel column just outside it; `frame()` does this.
 */
import { loadSharp } from '../data/sharp_loader.js';
import { extname } from 'node:path';
import { ConvkitError, ValueError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import { encodePNG } from './png.js';
import { type TextAnchor, TEXT_ANCHORS, fmt, textPath, textStrokeWidth } from './font.js';

/** An 8-bit RGBA picture: `data[(y × width + x) × 4 + c]`, c = R, G, B, A. */
export interface Raster {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export type Point = readonly [number, number];

export interface ShapeStyle {
  /** Fill colour (any SVG colour: '#rrggbb', 'rgb(…)', a name, 'none'). */
  fill?: string;
  stroke?: string;
  strokeWidth?: number;
  /** 0..1 opacity of the whole shape. */
  opacity?: number;
}

export interface LineStyle {
  stroke?: string;
  strokeWidth?: number;
  /** Dash pattern in pixels, e.g. [4, 2]. */
  dash?: readonly number[];
  /** Arrowhead at the last point (true / 'end'), the first ('start') or both ends. */
  arrow?: boolean | 'start' | 'end' | 'both';
  opacity?: number;
}

export interface TextStyle {
  /** Cap height in pixels (default 12). */
  size?: number;
  color?: string;
  anchor?: TextAnchor;
  /** Degrees, clockwise, about (x, y); -90 reads bottom-to-top (a y-axis label). */
  rotate?: number;
  /** Where `y` is: the 'baseline' (default, as SVG), the 'top' of capitals, or their 'middle'. */
  baseline?: 'baseline' | 'top' | 'middle';
}

export interface FigureOptions {
  /** '#rgb', '#rrggbb', '#rrggbbaa', 'white', 'black' or 'none'/'transparent' (default '#ffffff'). */
  background?: string;
}

type Item =
  | { kind: 'image'; raster: Raster; x: number; y: number; scale: number }
  | { kind: 'vector'; svg: string };

export const FIGURE_EXTENSIONS = ['.png', '.svg'] as const;

const MAX_SIDE = 32768;

function checkFinite(what: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`Figure: ${what} must be a finite number, got ${v}`);
}

/** Colours go into SVG attributes: allow only characters colour syntax uses, so nothing can break out. */
function colour(what: string, c: string): string {
  if (typeof c !== 'string' || !/^[#a-zA-Z0-9(),.%\s-]{1,64}$/.test(c)) throw new ValueError(`Figure: ${what} must be an SVG colour such as '#1f77b4' or 'none', got ${JSON.stringify(c)}`);
  return c.trim();
}

/** Parses the background colour into RGBA bytes (the canvas is filled in JavaScript). */
export function parseHexColour(c: string): [number, number, number, number] {
  const named: Record<string, string> = { white: '#ffffff', black: '#000000', none: '#00000000', transparent: '#00000000' };
  const s = named[c.toLowerCase()] ?? c;
  let m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(s);
  if (m) return [parseInt(m[1] + m[1], 16), parseInt(m[2] + m[2], 16), parseInt(m[3] + m[3], 16), 255];
  m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/i.exec(s);
  if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), m[4] === undefined ? 255 : parseInt(m[4], 16)];
  throw new ValueError(`Figure: background must be '#rgb', '#rrggbb', '#rrggbbaa', 'white', 'black' or 'none', got ${JSON.stringify(c)}`);
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    // Characters XML 1.0 forbids (control characters) would make the SVG unparsable.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?');
}

function checkRaster(r: Raster): void {
  const ok = r && Number.isInteger(r.width) && r.width > 0 && Number.isInteger(r.height) && r.height > 0
    && r.data instanceof Uint8ClampedArray && r.data.length === r.width * r.height * 4;
  if (!ok) throw new ValueError(`Figure.image: expected a Raster {width, height, data: Uint8ClampedArray of width × height × 4 RGBA bytes}, got ${r ? `${r.width}×${r.height} with ${r.data?.length} bytes` : r}`);
}

export class Figure {
  readonly width: number;
  readonly height: number;
  readonly background: string;
  private readonly bg: [number, number, number, number];
  private readonly items: Item[] = [];

  constructor(width: number, height: number, opts: FigureOptions = {}) {
    for (const [k, v] of [['width', width], ['height', height]] as const) {
      if (!(Number.isInteger(v) && v > 0 && v <= MAX_SIDE)) throw new ValueError(`Figure: ${k} must be an integer from 1 to ${MAX_SIDE} pixels, got ${v}`);
    }
    this.width = width;
    this.height = height;
    this.background = opts.background ?? '#ffffff';
    this.bg = parseHexColour(this.background);
  }

  /**
   * Draws `raster` with its top-left corner at integer pixel (x, y), each source pixel a scale × scale
   * block. Parts outside the figure are clipped. Transparent source pixels blend over what is below.
   */
  image(raster: Raster, x: number, y: number, scale = 1): this {
    checkRaster(raster);
    if (!Number.isInteger(x) || !Number.isInteger(y)) throw new ValueError(`Figure.image: x and y must be integers (whole pixels keep the raster exact), got ${x}, ${y}`);
    if (!(Number.isInteger(scale) && scale >= 1)) throw new ValueError(`Figure.image: scale must be an integer ≥ 1, got ${scale}`);
    this.items.push({ kind: 'image', raster, x, y, scale });
    return this;
  }

  rect(x: number, y: number, w: number, h: number, style: ShapeStyle = {}): this {
    [x, y, w, h].forEach((v, i) => checkFinite(['x', 'y', 'width', 'height'][i], v));
    if (w < 0 || h < 0) throw new ValueError(`Figure.rect: width and height must be ≥ 0, got ${w}, ${h}`);
    return this.vector(`<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(w)}" height="${fmt(h)}"${this.shapeAttrs(style)}/>`);
  }

  /** A 1-px (or `strokeWidth`) outline just outside the w × h block at (x, y): it never covers the block's pixels. */
  frame(x: number, y: number, w: number, h: number, stroke = '#999999', strokeWidth = 1): this {
    const o = strokeWidth / 2;
    return this.rect(x - o, y - o, w + 2 * o, h + 2 * o, { stroke, strokeWidth, fill: 'none' });
  }

  line(points: readonly Point[], style: LineStyle = {}): this {
    const pts = this.points('line', points, 2);
    const stroke = colour('stroke', style.stroke ?? '#000000');
    const sw = style.strokeWidth ?? 1;
    checkFinite('strokeWidth', sw);
    const dash = style.dash && style.dash.length > 0 ? ` stroke-dasharray="${style.dash.map((d) => { checkFinite('dash', d); return fmt(d); }).join(' ')}"` : '';
    const opacity = this.opacityAttr(style.opacity);
    let svg = `<polyline points="${pts.map((p) => `${fmt(p[0])},${fmt(p[1])}`).join(' ')}" fill="none" stroke="${stroke}" stroke-width="${fmt(sw)}"${dash}${opacity}/>`;
    const arrow = style.arrow === true ? 'end' : style.arrow || null;
    if (arrow === 'end' || arrow === 'both') svg += arrowHead(pts[pts.length - 2], pts[pts.length - 1], sw, stroke, opacity);
    if (arrow === 'start' || arrow === 'both') svg += arrowHead(pts[1], pts[0], sw, stroke, opacity);
    return this.vector(svg);
  }

  polygon(points: readonly Point[], style: ShapeStyle = {}): this {
    const pts = this.points('polygon', points, 3);
    return this.vector(`<polygon points="${pts.map((p) => `${fmt(p[0])},${fmt(p[1])}`).join(' ')}"${this.shapeAttrs(style)}/>`);
  }

  circle(cx: number, cy: number, r: number, style: ShapeStyle = {}): this {
    [cx, cy, r].forEach((v, i) => checkFinite(['cx', 'cy', 'r'][i], v));
    if (r < 0) throw new ValueError(`Figure.circle: r must be ≥ 0, got ${r}`);
    return this.vector(`<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${fmt(r)}"${this.shapeAttrs(style)}/>`);
  }

  /** Text drawn as Hershey strokes; the string itself is kept as the path's aria-label and <title>. */
  text(s: string, x: number, y: number, style: TextStyle = {}): this {
    checkFinite('x', x);
    checkFinite('y', y);
    const size = style.size ?? 12;
    checkFinite('text size', size);
    const anchor = style.anchor ?? 'start';
    if (!TEXT_ANCHORS.includes(anchor)) throw new ValueError(`Figure.text: anchor must be one of ${TEXT_ANCHORS.join(', ')}, got ${JSON.stringify(anchor)}`);
    const rotate = style.rotate ?? 0;
    checkFinite('rotate', rotate);
    const drop = style.baseline === 'top' ? size : style.baseline === 'middle' ? size / 2 : 0;
    const rad = (rotate * Math.PI) / 180;
    const d = textPath(String(s), x - Math.sin(rad) * drop, y + Math.cos(rad) * drop, size, anchor, rotate);
    const label = escapeXml(String(s));
    const color = colour('text color', style.color ?? '#000000');
    if (d === '') return this.vector(`<g aria-label="${label}"><title>${label}</title></g>`);
    return this.vector(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="${fmt(textStrokeWidth(size))}" stroke-linecap="round" stroke-linejoin="round" role="img" aria-label="${label}"><title>${label}</title></path>`,
    );
  }

  /** The figure as a standalone SVG document; rasters are embedded PNGs drawn pixelated. */
  toSVG(): string {
    const body = this.items.map((it) => (it.kind === 'vector' ? it.svg : imageElement(it))).join('\n');
    return svgDocument(this.width, this.height, this.bg[3] > 0 ? this.background : null, body);
  }

  /** The figure composed as RGBA pixels (see the module comment for how). */
  async toRaster(): Promise<Raster> {
    const data = new Uint8ClampedArray(this.width * this.height * 4);
    for (let i = 0; i < data.length; i += 4) data.set(this.bg, i);
    const canvas: Raster = { width: this.width, height: this.height, data };
    let run: string[] = [];
    const flush = async () => {
      if (run.length === 0) return;
      blend(canvas, await this.renderVectors(run.join('\n')), 0, 0, 1);
      run = [];
    };
    for (const it of this.items) {
      if (it.kind === 'vector') {
        run.push(it.svg);
        continue;
      }
      await flush();
      blend(canvas, it.raster, it.x, it.y, it.scale);
    }
    await flush();
    return canvas;
  }

  async toPNG(): Promise<Uint8Array> {
    return encodePNG(await this.toRaster());
  }

  /** Writes `path` atomically as PNG or SVG, chosen by its extension; the directory must exist. */
  async save(path: string): Promise<void> {
    const ext = figureExtension(path);
    const bytes = ext === '.svg' ? this.toSVG() : await this.toPNG();
    await writeFileAtomic(path, bytes);
  }

  private vector(svg: string): this {
    this.items.push({ kind: 'vector', svg });
    return this;
  }

  private points(what: string, points: readonly Point[], min: number): Point[] {
    if (!Array.isArray(points) || points.length < min) throw new ValueError(`Figure.${what}: needs at least ${min} points [x, y], got ${Array.isArray(points) ? points.length : typeof points}`);
    for (const p of points) {
      if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new ValueError(`Figure.${what}: every point must be [x, y] with finite numbers, got ${JSON.stringify(p)}`);
      }
    }
    return points as Point[];
  }

  private opacityAttr(o: number | undefined): string {
    if (o === undefined) return '';
    if (!(o >= 0 && o <= 1)) throw new ValueError(`Figure: opacity must be between 0 and 1, got ${o}`);
    return ` opacity="${fmt(o)}"`;
  }

  /** SVG's defaults with one change: a shape given only a stroke is not also filled black. */
  private shapeAttrs(s: ShapeStyle): string {
    const fill = colour('fill', s.fill ?? (s.stroke !== undefined ? 'none' : '#000000'));
    let attrs = ` fill="${fill}"`;
    if (s.stroke !== undefined) {
      const sw = s.strokeWidth ?? 1;
      checkFinite('strokeWidth', sw);
      attrs += ` stroke="${colour('stroke', s.stroke)}" stroke-width="${fmt(sw)}"`;
    }
    return attrs + this.opacityAttr(s.opacity);
  }

  private async renderVectors(body: string): Promise<Raster> {
    const sharp = await loadSharp('Rendering a figure to PNG');
    const svg = svgDocument(this.width, this.height, null, body);
    const { data, info } = await sharp(Buffer.from(svg), { density: 72, limitInputPixels: false }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.width !== this.width || info.height !== this.height || info.channels !== 4) {
      throw new ConvkitError(`Figure: the vector layer rendered as ${info.width}×${info.height}×${info.channels}, expected ${this.width}×${this.height}×4`);
    }
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
  }
}

/** The extension of a figure path ('.png' or '.svg', lower case); anything else is a ValueError. */
export function figureExtension(path: string): '.png' | '.svg' {
  const ext = extname(String(path)).toLowerCase();
  if (ext === '.png' || ext === '.svg') return ext;
  throw new ValueError(`Cannot save a figure as ${JSON.stringify(path)}: ${ext === '' ? 'the name has no extension' : `unsupported extension "${ext}"`}; supported: ${FIGURE_EXTENSIONS.join(', ')}`);
}

function svgDocument(width: number, height: number, background: string | null, body: string): string {
  const bg = background === null ? '' : `<rect width="100%" height="100%" fill="${escapeXml(background)}"/>\n`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${bg}${body}\n</svg>\n`;
}

function imageElement(it: Extract<Item, { kind: 'image' }>): string {
  const png = Buffer.from(encodePNG(it.raster)).toString('base64');
  const w = it.raster.width * it.scale;
  const h = it.raster.height * it.scale;
  return `<image x="${it.x}" y="${it.y}" width="${w}" height="${h}" preserveAspectRatio="none" style="image-rendering:pixelated;image-rendering:crisp-edges" href="data:image/png;base64,${png}"/>`;
}

/** A filled triangle with its tip at `to`, pointing along from → to. */
function arrowHead(from: Point, to: Point, strokeWidth: number, stroke: string, opacity: string): string {
  const len = Math.max(6, 4 * strokeWidth);
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const n = Math.hypot(dx, dy) || 1;
  const ux = dx / n;
  const uy = dy / n;
  const bx = to[0] - ux * len;
  const by = to[1] - uy * len;
  const hw = len * 0.45;
  const pts: Point[] = [to, [bx - uy * hw, by + ux * hw], [bx + uy * hw, by - ux * hw]];
  return `<polygon points="${pts.map((p) => `${fmt(p[0])},${fmt(p[1])}`).join(' ')}" fill="${stroke}"${opacity}/>`;
}

/**
 * Paints `src` at (x0, y0), each pixel a scale × scale block, with "source over" blending: an opaque
 * source pixel is copied exactly; a transparent one leaves the canvas as it was.
 */
function blend(dst: Raster, src: Raster, x0: number, y0: number, scale: number): void {
  const d = dst.data;
  const s = src.data;
  for (let sy = 0; sy < src.height; sy++) {
    for (let sx = 0; sx < src.width; sx++) {
      const si = (sy * src.width + sx) * 4;
      const a = s[si + 3];
      if (a === 0) continue;
      for (let by = 0; by < scale; by++) {
        const y = y0 + sy * scale + by;
        if (y < 0 || y >= dst.height) continue;
        for (let bx = 0; bx < scale; bx++) {
          const x = x0 + sx * scale + bx;
          if (x < 0 || x >= dst.width) continue;
          const di = (y * dst.width + x) * 4;
          if (a === 255) {
            d[di] = s[si];
            d[di + 1] = s[si + 1];
            d[di + 2] = s[si + 2];
            d[di + 3] = 255;
            continue;
          }
          const sa = a / 255;
          const da = d[di + 3] / 255;
          const oa = sa + da * (1 - sa);
          for (let c = 0; c < 3; c++) d[di + c] = (s[si + c] * sa + d[di + c] * da * (1 - sa)) / oa;
          d[di + 3] = oa * 255;
        }
      }
    }
  }
}
