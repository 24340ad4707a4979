/**
 * ImageDataGenerator's transform parameters (Keras's get_random_transform dictionary) and the
 * inverse affine map they define, composed exactly as Keras's legacy apply_affine_transform does:
 *
 *   M = rotation(theta) · shift(tx, ty) · shear(shear) · zoom(zx, zy), about the image centre
 *   (offset (h/2 − 0.5, w/2 − 0.5)), then its two spatial axes swapped before
 *   scipy.ndimage.affine_transform maps output (row, col) to input (row, col).
 *
 * The swap means M's first axis is the column: so, as in Keras, `tx` (drawn from
 * heightShiftRange, scaled by the height) moves the image along its width, `ty` along its height,
 * and a positive theta rotates counter-clockwise (np.rot90 at 90°). The centre offset pairs the
 * height with the column axis, as Keras does; both only matter for non-square images.
 * Flips are folded into the same map (Keras applies them after the warp: the same picture).
 */
import type { InverseAffine } from './warp.js';

export interface TransformParams {
  /** Rotation, degrees. */
  theta: number;
  /** Shift along M's first axis (see above), pixels. */
  tx: number;
  ty: number;
  /** Shear angle, degrees. */
  shear: number;
  zx: number;
  zy: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
  /** Added to every channel, then clipped to the image's [min, max] (Keras's channel shift). */
  channelShiftIntensity: number | null;
}

export const NO_TRANSFORM: TransformParams = {
  theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1, flipHorizontal: false, flipVertical: false, channelShiftIntensity: null,
};

type M3 = number[][];

function dot(a: M3, b: M3): M3 {
  const out = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
  }
  return out;
}

const deg2rad = (d: number) => (d * Math.PI) / 180;

/** Keras's composed 3×3 matrix before centring, or null when there is nothing to warp. */
function kerasMatrix(p: TransformParams): M3 | null {
  let m: M3 | null = null;
  const then = (b: M3) => {
    m = m ? dot(m, b) : b;
  };
  if (p.theta !== 0) {
    const t = deg2rad(p.theta);
    then([[Math.cos(t), -Math.sin(t), 0], [Math.sin(t), Math.cos(t), 0], [0, 0, 1]]);
  }
  if (p.tx !== 0 || p.ty !== 0) then([[1, 0, p.tx], [0, 1, p.ty], [0, 0, 1]]);
  if (p.shear !== 0) {
    const s = deg2rad(p.shear);
    then([[1, -Math.sin(s), 0], [0, Math.cos(s), 0], [0, 0, 1]]);
  }
  if (p.zx !== 1 || p.zy !== 1) then([[p.zx, 0, 0], [0, p.zy, 0], [0, 0, 1]]);
  return m;
}

/** The inverse map (output pixel → input coordinates) of `p` on an h × w image, flips included. */
export function inverseAffineFor(p: TransformParams, h: number, w: number): InverseAffine {
  const m = kerasMatrix(p);
  let a = 1; let b = 0; let c = 0; let d = 0; let e = 1; let f = 0;
  if (m) {
    const ox = h / 2 - 0.5;
    const oy = w / 2 - 0.5;
    const t = dot(dot([[1, 0, ox], [0, 1, oy], [0, 0, 1]], m), [[1, 0, -ox], [0, 1, -oy], [0, 0, 1]]);
    // Swap the spatial axes (Keras's P·T·P): inRow from T's second row, inCol from its first.
    [a, b, c, d, e, f] = [t[1][1], t[1][0], t[1][2], t[0][1], t[0][0], t[0][2]];
  }
  // A flip applied after the warp reads output column w−1−c (row h−1−r) of the warped image.
  if (p.flipHorizontal) {
    c += b * (w - 1);
    b = -b;
    f += e * (w - 1);
    e = -e;
  }
  if (p.flipVertical) {
    c += a * (h - 1);
    a = -a;
    f += d * (h - 1);
    d = -d;
  }
  return [a, b, c, d, e, f];
}
