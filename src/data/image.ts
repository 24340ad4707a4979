/**
 * Keras's `keras.utils` image functions (load_img, img_to_array, array_to_img, save_img), decoding and
 * encoding with sharp (libvips). Where Keras returns a PIL image, these return an `Image`: 8-bit
 * pixels, row-major, channels interleaved (HWC).
 *
 * Untrusted files are expected (datasets downloaded from anywhere), so every load checks the file size
 * and the pixel count declared in the header before any pixel is decoded: a small PNG that declares
 * 20000×20000 pixels is refused after reading its header, not after allocating 400 MB.
 */
import { loadSharp } from './sharp_loader.js';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Metadata, Sharp } from 'sharp';

import { FormatError, ShapeError, ValueError, unknownName } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor, type TensorLike } from '../ops/creation.js';
import { writeFileAtomic } from '../io/atomic_write.js';

export type ColorMode = 'rgb' | 'grayscale' | 'rgba';

/** An 8-bit image: `data[(y * width + x) * channels + c]`. */
export interface Image {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** Refuses files before decoding them (decompression bombs, huge files). */
export interface ImageLimits {
  /** Largest width × height accepted (default 1e8, about 10000×10000). */
  maxPixels?: number;
  /** Largest file accepted, in bytes (default 256 MiB). */
  maxFileBytes?: number;
}

export const DEFAULT_MAX_PIXELS = 1e8;
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/** PIL's resampling names as Keras's load_img accepts them, mapped to libvips kernels. */
const KERNELS = {
  nearest: 'nearest', bilinear: 'linear', bicubic: 'cubic', lanczos: 'lanczos3',
  lanczos2: 'lanczos2', lanczos3: 'lanczos3', mitchell: 'mitchell', mitchellcubic: 'mitchell',
} as const;
export type Interpolation = keyof typeof KERNELS;
export const INTERPOLATIONS = Object.keys(KERNELS) as Interpolation[];

export interface LoadImgOptions extends ImageLimits {
  colorMode?: ColorMode;
  /** [height, width]; the image is resized to it (after colour conversion, as Keras does). */
  targetSize?: readonly [number, number];
  /** Resampling when resizing; Keras's load_img default is 'nearest'. */
  interpolation?: Interpolation;
  /** Crop the centre to the target aspect ratio before resizing (Keras's keep_aspect_ratio). */
  keepAspectRatio?: boolean;
}

const COLOR_MODES: readonly ColorMode[] = ['rgb', 'grayscale', 'rgba'];

function checkLimit(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new ValueError(`${name} must be a positive number, got ${v}`);
  return v;
}

function checkSize(size: readonly number[] | undefined, name: string): [number, number] | undefined {
  if (size === undefined) return undefined;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ValueError(`${name} must be [height, width] with positive integers, got ${JSON.stringify(size)}`);
  }
  return [size[0], size[1]];
}

/** PIL's RGB → L: ITU-R 601-2 luma in 16-bit fixed point, rounding half up (Convert.c, L24). */
export function rgbToL(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) out[i] = (rgb[j] * 19595 + rgb[j + 1] * 38470 + rgb[j + 2] * 7471 + 0x8000) >>> 16;
  return out;
}

/** libvips gives 16-bit samples for 16-bit PNGs; keep the high byte, as PIL does when it loads them as 8-bit. */
function to8bit(data: Buffer, samples: number): Uint8Array {
  if (data.length === samples) return new Uint8Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint8Array(samples);
  for (let i = 0; i < samples; i++) out[i] = data[2 * i + 1]; // little-endian: the second byte is the high one
  return out;
}

/** Decodes encoded image bytes (PNG, JPEG, WebP, GIF first frame, TIFF, AVIF…). `name` appears in errors. */
export async function decodeImage(bytes: Uint8Array, name: string, opts: LoadImgOptions = {}): Promise<Image> {
  const colorMode = opts.colorMode ?? 'rgb';
  if (!COLOR_MODES.includes(colorMode)) throw unknownName('color mode', colorMode, COLOR_MODES);
  const target = checkSize(opts.targetSize, 'targetSize');
  const interpolation = opts.interpolation ?? 'nearest';
  if (!(interpolation in KERNELS)) throw unknownName('interpolation', interpolation, INTERPOLATIONS);
  const maxPixels = checkLimit(opts.maxPixels, DEFAULT_MAX_PIXELS, 'maxPixels');

  const sharp = await loadSharp('Reading and writing images');
  // The header alone: metadata() decodes no pixels, so sharp's own limit is lifted here to report the size.
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw decodeError(bytes, name, e);
  }
  const { width, height } = meta;
  if (!width || !height) throw new FormatError(`Cannot decode ${name} as an image: the header gives no size`);
  if (width * height > maxPixels) {
    throw new ValueError(`Refusing to decode ${name}: ${width}×${height} = ${width * height} pixels exceeds the limit of ${maxPixels} pixels (maxPixels); raise maxPixels if the file is trusted`);
  }

  // Colour conversion first, then resizing, in Keras's order. Alpha is dropped, not composited, as PIL's convert does.
  const src = sharp(bytes, { limitInputPixels: maxPixels });
  const grayInput = (meta.channels ?? 3) <= 2;
  let pipeline: Sharp;
  if (colorMode === 'rgba') pipeline = src.ensureAlpha().toColourspace('srgb');
  else if (colorMode === 'grayscale' && grayInput) pipeline = src.extractChannel(0).toColourspace('b-w');
  else pipeline = src.removeAlpha().toColourspace('srgb');
  let img: Image;
  try {
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    const channels = info.channels as 1 | 3 | 4;
    img = { data: to8bit(data, info.width * info.height * channels), width: info.width, height: info.height, channels };
  } catch (e) {
    throw decodeError(bytes, name, e);
  }
  if (colorMode === 'grayscale' && img.channels === 3) img = { ...img, data: rgbToL(img.data, img.width * img.height), channels: 1 };
  if (target && (target[0] !== img.height || target[1] !== img.width)) img = await resizeImage(img, target, interpolation, opts.keepAspectRatio ?? false);
  return img;
}

function decodeError(bytes: Uint8Array, name: string, e: unknown): FormatError | ValueError {
  const msg = (e as Error)?.message ?? String(e);
  if (/pixel limit/i.test(msg)) return new ValueError(`Refusing to decode ${name}: ${msg} (maxPixels)`);
  // Keras lists .bmp among image files, but the prebuilt libvips in sharp has no BMP decoder.
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return new FormatError(`Cannot decode ${name}: BMP files are not supported by the image decoder (sharp/libvips); convert them to PNG`);
  return new FormatError(`Cannot decode ${name} as an image: ${msg.split('\n')[0]}`);
}

/** Resizes to [height, width]; with `keepAspectRatio`, first crops the centre as Keras's load_img does. */
export async function resizeImage(img: Image, [h, w]: readonly [number, number], interpolation: Interpolation = 'bilinear', keepAspectRatio = false): Promise<Image> {
  if (!(interpolation in KERNELS)) throw unknownName('interpolation', interpolation, INTERPOLATIONS);
  const sharp = await loadSharp('Reading and writing images');
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
  if (keepAspectRatio) {
    const cropH = Math.min(img.height, Math.floor((img.width * h) / w));
    const cropW = Math.min(img.width, Math.floor((img.height * w) / h));
    s = s.extract({ left: Math.floor((img.width - cropW) / 2), top: Math.floor((img.height - cropH) / 2), width: cropW, height: cropH });
  }
  s = s.resize(w, h, { kernel: KERNELS[interpolation], fit: 'fill' });
  // Without an explicit colourspace libvips would widen one channel to sRGB's three.
  if (img.channels === 1) s = s.toColourspace('b-w');
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4 };
}

/** Reads `path` (or takes its bytes), checking the file-size limit before reading. */
async function readImageFile(path: string, maxFileBytes: number): Promise<Uint8Array> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ValueError(`Cannot load image ${path}: not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof ValueError) throw e;
    throw new ValueError(`Cannot load image ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (size > maxFileBytes) throw new ValueError(`Refusing to load ${path}: the file has ${size} bytes, over the limit of ${maxFileBytes} bytes (maxFileBytes)`);
  return readFile(path);
}

/**
 * Keras's `load_img`: loads an image file as 8-bit pixels, converted to `colorMode` ('rgb' by default;
 * 'grayscale' uses PIL's L = 0.299R + 0.587G + 0.114B, rounded as PIL rounds) and resized to
 * `targetSize` ([height, width]) with `interpolation` ('nearest' by default, as Keras).
 */
export async function loadImg(path: string | Uint8Array, opts: LoadImgOptions = {}): Promise<Image> {
  const maxFileBytes = checkLimit(opts.maxFileBytes, DEFAULT_MAX_FILE_BYTES, 'maxFileBytes');
  if (typeof path !== 'string') {
    if (!(path instanceof Uint8Array)) throw new ValueError(`loadImg(): expected a file path or the file's bytes, got ${typeof path}`);
    if (path.length > maxFileBytes) throw new ValueError(`Refusing to load an image of ${path.length} bytes, over the limit of ${maxFileBytes} bytes (maxFileBytes)`);
    return decodeImage(path, 'the image bytes', opts);
  }
  return decodeImage(await readImageFile(path, maxFileBytes), path, opts);
}

/** Keras's `img_to_array`: a float32 tensor (height, width, channels) with values 0–255. */
export function imgToArray(img: Image): Tensor {
  checkImage(img);
  return new Tensor(Float32Array.from(img.data), [img.height, img.width, img.channels]);
}

function checkImage(img: Image): void {
  const ok = img && img.data instanceof Uint8Array && [1, 3, 4].includes(img.channels) && Number.isInteger(img.width) && Number.isInteger(img.height)
    && img.data.length === img.width * img.height * img.channels;
  if (!ok) throw new ValueError('Expected an Image {data: Uint8Array, width, height, channels: 1|3|4} with width × height × channels bytes');
}

export interface ArrayToImgOptions {
  /** Map min → 0 and max → 255 first (Keras's default); otherwise values are used as they are. */
  scale?: boolean;
}

/**
 * Keras's `array_to_img`: (height, width, channels) values → an 8-bit Image; a (height, width) array is
 * taken as one channel. With `scale` (default) min → 0 and max → 255. Values are truncated toward zero
 * like NumPy's astype('uint8'); out-of-range values are clamped (NumPy would wrap them) and NaN gives 0.
 */
export function arrayToImg(x: Tensor | TensorLike, opts: ArrayToImgOptions = {}): Image {
  const t = x instanceof Tensor ? x : tensor(x);
  if (t.rank !== 3 && t.rank !== 2) throw new ShapeError(`Expected an image array of rank 3 (height, width, channels), got shape [${t.shape.join(', ')}]`);
  const [height, width] = t.shape;
  const channels = t.rank === 2 ? 1 : t.shape[2];
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new ShapeError(`Unsupported channel number: ${channels} (expected 1, 3 or 4), shape [${t.shape.join(', ')}]`);
  const v = t.values;
  let lo = 0;
  let mul = 1;
  if (opts.scale ?? true) {
    lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      if (v[i] < lo) lo = v[i];
      if (v[i] > hi) hi = v[i];
    }
    if (v.length === 0) lo = hi = 0;
    mul = hi - lo !== 0 ? 255 / (hi - lo) : 255;
  }
  const data = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const s = (v[i] - lo) * mul;
    data[i] = s >= 255 ? 255 : s > 0 ? Math.trunc(s) : 0;
  }
  return { data, width, height, channels };
}

export type ImageFormat = 'png' | 'jpeg' | 'webp';
const EXT_FORMATS: Record<string, ImageFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };

export interface SaveImgOptions extends ArrayToImgOptions {
  /** 'png', 'jpeg' (or 'jpg'), 'webp'; default from the file extension. */
  format?: ImageFormat | 'jpg';
  /** JPEG/WebP quality 1–100 (default 75 for JPEG, as PIL; 80 for WebP). */
  quality?: number;
}

/** Encodes an Image as PNG, JPEG or WebP bytes. */
export async function encodeImage(img: Image, format: ImageFormat, quality?: number): Promise<Uint8Array> {
  checkImage(img);
  if (quality !== undefined && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) throw new ValueError(`quality must be an integer in [1, 100], got ${quality}`);
  let src = img;
  if (format === 'jpeg' && img.channels === 4) {
    process.emitWarning('The JPEG format does not support RGBA images, converting to RGB.', { code: 'CONVKIT_JPEG_RGBA' });
    const rgb = new Uint8Array(img.width * img.height * 3);
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) rgb.set(img.data.subarray(i, i + 3), j);
    src = { ...img, data: rgb, channels: 3 };
  }
  const sharp = await loadSharp('Reading and writing images');
  let s = sharp(src.data, { raw: { width: src.width, height: src.height, channels: src.channels } });
  if (src.channels === 1) s = s.toColourspace('b-w');
  if (format === 'png') s = s.png();
  else if (format === 'jpeg') s = s.jpeg({ quality: quality ?? 75 });
  else s = s.webp({ quality: quality ?? 80 });
  return new Uint8Array(await s.toBuffer());
}

/**
 * Keras's `save_img`: writes a (height, width, channels) array (scaled to 0–255 unless `scale: false`) or an
 * Image as PNG, JPEG or WebP, chosen by `format` or the extension. The write is atomic.
 */
export async function saveImg(path: string, x: Tensor | TensorLike | Image, opts: SaveImgOptions = {}): Promise<void> {
  let format: ImageFormat | undefined = opts.format === 'jpg' ? 'jpeg' : opts.format;
  if (format !== undefined && !['png', 'jpeg', 'webp'].includes(format)) throw unknownName('image format', opts.format, ['png', 'jpeg', 'jpg', 'webp']);
  format ??= EXT_FORMATS[extname(path).toLowerCase()];
  if (!format) throw new ValueError(`Cannot tell the image format of ${path}: use a .png, .jpg, .jpeg or .webp name, or pass format`);
  const img = isImage(x) ? x : arrayToImg(x as Tensor | TensorLike, opts);
  await writeFileAtomic(path, await encodeImage(img, format, opts.quality));
}

function isImage(x: unknown): x is Image {
  return typeof x === 'object' && x !== null && !(x instanceof Tensor) && (x as Image).data instanceof Uint8Array && 'channels' in x;
}
