/**
 * The Grad-CAM picture: the heat map through 'jet' blended over the image (alpha 0.4 by default:
 * pixel = (1 − alpha)·image + alpha·jet(cam)), upscaled by an integer `scale`, under a caption band
 * naming the class, its probability and the layer.
 *
 * Size: width W·scale, height H·scale + SALIENCY_CAPTION; default scale = the smallest integer making
 * the longer side at least 224 px (a 28×28 digit: 8, so 224 × 248).
 */
import { ValueError } from '../errors.js';
import { colormap } from './colormap.js';
import { Figure, type Raster } from './figure.js';
import { fitText } from './caption.js';

export const SALIENCY_CAPTION = 24;

export interface SaliencyFigureOptions {
  scale?: number;
  /** Weight of the heat map in the blend, 0..1 (default 0.4). */
  alpha?: number;
  /** Colour map of the heat map (default 'jet'; 'turbo' is a smoother alternative). */
  cmap?: string;
  /** Caption text (default: none, only the band). */
  caption?: string;
}

export function saliencyScale(height: number, width: number): number {
  return Math.max(1, Math.ceil(224 / Math.max(height, width)));
}

/** `display` with `cam` (0..1, same height × width) blended over it. */
export function overlayCam(display: Raster, cam: ArrayLike<number>, alpha = 0.4, cmap = 'jet'): Raster {
  if (cam.length !== display.width * display.height) {
    throw new ValueError(`overlayCam: the heat map has ${cam.length} values but the image is ${display.width}×${display.height}`);
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new ValueError(`overlay alpha must be between 0 and 1, got ${alpha}`);
  const map = colormap(cmap);
  const data = new Uint8ClampedArray(display.data.length);
  for (let i = 0; i < cam.length; i++) {
    const rgb = map(Math.min(1, Math.max(0, cam[i])));
    for (let c = 0; c < 3; c++) data[4 * i + c] = Math.round((1 - alpha) * display.data[4 * i + c] + alpha * rgb[c]);
    data[4 * i + 3] = 255;
  }
  return { width: display.width, height: display.height, data };
}

export function saliencyFigure(display: Raster, cam: ArrayLike<number>, opts: SaliencyFigureOptions = {}): Figure {
  const scale = opts.scale ?? saliencyScale(display.height, display.width);
  if (!(Number.isInteger(scale) && scale >= 1)) throw new ValueError(`saliencyFigure: scale must be an integer ≥ 1, got ${scale}`);
  const overlay = overlayCam(display, cam, opts.alpha ?? 0.4, opts.cmap ?? 'jet');
  const width = display.width * scale;
  const fig = new Figure(width, display.height * scale + SALIENCY_CAPTION);
  if (opts.caption) fig.text(fitText(opts.caption, 10, width - 12), 6, 17, { size: 10 });
  fig.image(overlay, 0, SALIENCY_CAPTION, scale);
  return fig;
}
