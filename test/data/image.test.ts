import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

import { FormatError, ValueError, tensor } from '../../src/index.js';
import { arrayToImg, imgToArray, loadImg, saveImg, rgbToL, type Image } from '../../src/data/image.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-image-'));

/** Writes raw 8-bit pixels as a PNG (1 channel stays grayscale). */
async function png(name: string, pixels: number[], width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<string> {
  let s = sharp(Buffer.from(pixels), { raw: { width, height, channels } });
  if (channels <= 2) s = s.toColourspace('b-w');
  const path = join(dir, name);
  writeFileSync(path, await s.png().toBuffer());
  return path;
}

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A 1 KB PNG whose header declares width × height 8-bit gray pixels: a decompression bomb's header. */
function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  const rows = deflateSync(Buffer.alloc(4 * (width + 1))); // the first rows only
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', new Uint8Array(0))]);
}

describe('image.loadImg / imgToArray', () => {
  it('decodes a PNG exactly, HWC, and imgToArray gives float32 (h, w, c)', async () => {
    const px = [1, 2, 3, 40, 50, 60, 255, 0, 128, 7, 8, 9, 100, 110, 120, 0, 0, 0];
    const img = await loadImg(await png('rgb.png', px, 3, 2, 3));
    assert.deepEqual([img.width, img.height, img.channels], [3, 2, 3]);
    assert.deepEqual([...img.data], px);
    const t = imgToArray(img);
    assert.deepEqual(t.shape, [2, 3, 3]);
    assert.equal(t.dtype, 'float32');
    assert.deepEqual([...t.values], px);
  });

  it('grayscale uses PIL\'s L = (19595 R + 38470 G + 7471 B + 32768) >> 16', async () => {
    // red, green, blue, mid grey, and two pixels where the rounding is visible
    const px = [255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128, 10, 20, 30, 0, 80, 110]; // last: 59.4999… in floats, 60 in PIL
    const path = await png('colours.png', px, 6, 1, 3);
    const img = await loadImg(path, { colorMode: 'grayscale' });
    assert.equal(img.channels, 1);
    assert.deepEqual([...img.data], [76, 150, 29, 128, 18, 60]);
    assert.deepEqual([...rgbToL(Uint8Array.from(px), 6)], [...img.data]);
    assert.deepEqual(imgToArray(img).shape, [1, 6, 1]);
  });

  it('keeps a grayscale PNG\'s levels and ignores alpha when converting', async () => {
    const gray = await loadImg(await png('gray.png', [0, 17, 200, 255], 2, 2, 1), { colorMode: 'grayscale' });
    assert.deepEqual([...gray.data], [0, 17, 200, 255]);
    const rgb = await loadImg(await png('gray2.png', [0, 17, 200, 255], 2, 2, 1));
    assert.deepEqual([...rgb.data], [0, 0, 0, 17, 17, 17, 200, 200, 200, 255, 255, 255]);
    const rgbaPath = await png('rgba.png', [10, 20, 30, 0, 40, 50, 60, 128], 2, 1, 4);
    assert.deepEqual([...(await loadImg(rgbaPath)).data], [10, 20, 30, 40, 50, 60]);
    assert.deepEqual([...(await loadImg(rgbaPath, { colorMode: 'rgba' })).data], [10, 20, 30, 0, 40, 50, 60, 128]);
    assert.deepEqual([...(await loadImg(rgbaPath, { colorMode: 'grayscale' })).data], [rgbToL(Uint8Array.from([10, 20, 30]), 1)[0], rgbToL(Uint8Array.from([40, 50, 60]), 1)[0]]);
    const opaque = await loadImg(await png('rgb2.png', [1, 2, 3], 1, 1, 3), { colorMode: 'rgba' });
    assert.deepEqual([...opaque.data], [1, 2, 3, 255]);
  });

  it('resizes to targetSize [h, w] (nearest by default, as Keras) and crops with keepAspectRatio', async () => {
    const path = await png('small.png', [0, 100, 200, 50], 2, 2, 1);
    const big = await loadImg(path, { colorMode: 'grayscale', targetSize: [4, 6] });
    assert.deepEqual([big.height, big.width, big.channels], [4, 6, 1]);
    assert.deepEqual([...big.data.subarray(0, 6)], [0, 0, 0, 100, 100, 100]);
    assert.deepEqual([...big.data.subarray(18, 24)], [200, 200, 200, 50, 50, 50]);
    const bil = await loadImg(path, { targetSize: [3, 5], interpolation: 'bilinear' });
    assert.deepEqual(imgToArray(bil).shape, [3, 5, 3]);
    // 2 x 8 strip: 0 0 0 255 255 0 0 0 per row; a square centre crop keeps columns 3..4 only
    const strip = await png('strip.png', [0, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 255, 255, 0, 0, 0], 8, 2, 1);
    const sq = await loadImg(strip, { colorMode: 'grayscale', targetSize: [2, 2], keepAspectRatio: true });
    assert.deepEqual([...sq.data], [255, 255, 255, 255]);
    await assert.rejects(loadImg(path, { targetSize: [4, 4], interpolation: 'hamming' as never }), /Unknown interpolation "hamming"/);
  });

  it('accepts the file\'s bytes', async () => {
    const bytes = await sharp({ create: { width: 3, height: 2, channels: 3, background: { r: 9, g: 8, b: 7 } } }).png().toBuffer();
    const img = await loadImg(bytes);
    assert.deepEqual([...img.data.subarray(0, 3)], [9, 8, 7]);
  });
});

describe('image limits and malformed files', () => {
  it('refuses a small PNG declaring 20000×20000 pixels from its header, naming the file and the limit', async () => {
    const path = join(dir, 'bomb.png');
    const bytes = bombPng(20000, 20000);
    assert.ok(bytes.length < 2000);
    writeFileSync(path, bytes);
    await assert.rejects(loadImg(path), (e: Error) => {
      assert.ok(e instanceof ValueError, String(e));
      assert.match(e.message, /bomb\.png/);
      assert.match(e.message, /20000×20000 = 400000000 pixels exceeds the limit of 100000000 pixels \(maxPixels\)/);
      return true;
    });
  });

  it('applies a configurable maxPixels and maxFileBytes', async () => {
    const path = join(dir, 'big.png');
    writeFileSync(path, await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#808080' } }).png().toBuffer());
    await assert.rejects(loadImg(path, { maxPixels: 1e6 }), /1200×1000 = 1200000 pixels exceeds the limit of 1000000/);
    assert.equal((await loadImg(path, { maxPixels: 2e6 })).width, 1200);
    await assert.rejects(loadImg(path, { maxFileBytes: 100 }), (e: Error) => e instanceof ValueError && /big\.png/.test(e.message) && /over the limit of 100 bytes \(maxFileBytes\)/.test(e.message));
  });

  it('malformed, truncated, BMP and missing files give one clear error naming the file', async () => {
    const junk = join(dir, 'junk.png');
    writeFileSync(junk, 'this is not an image at all');
    await assert.rejects(loadImg(junk), (e: Error) => e instanceof FormatError && /junk\.png/.test(e.message));
    const good = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#123456' } }).png().toBuffer();
    const cut = join(dir, 'cut.png');
    writeFileSync(cut, good.subarray(0, good.length - 30));
    await assert.rejects(loadImg(cut), (e: Error) => e instanceof FormatError && /cut\.png/.test(e.message));
    const bmp = join(dir, 'x.bmp');
    writeFileSync(bmp, Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]));
    await assert.rejects(loadImg(bmp), /x\.bmp: BMP files are not supported/);
    await assert.rejects(loadImg(join(dir, 'nope.png')), (e: Error) => e instanceof ValueError && /nope\.png: no such file/.test(e.message));
  });
});

describe('image.arrayToImg / saveImg', () => {
  it('scales min → 0 and max → 255 by default, truncating like NumPy astype(uint8)', () => {
    const img = arrayToImg(tensor([[[-1], [0], [1]]]));
    assert.deepEqual([img.width, img.height, img.channels], [3, 1, 1]);
    assert.deepEqual([...img.data], [0, 127, 255]);
    const raw = arrayToImg(tensor([[[12.7, 300, -4]]]), { scale: false });
    assert.deepEqual([...raw.data], [12, 255, 0]);
    assert.deepEqual([...arrayToImg(tensor([[5, 5]])).data], [0, 0], "a constant (h, w) array is one black channel");
    assert.throws(() => arrayToImg(tensor([[[1, 2]]])), /Unsupported channel number: 2/);
  });

  it('PNG round trip is exact; JPEG is close; WebP loads; writes leave no temp files', async () => {
    const h = 16;
    const w = 24;
    const vals: number[] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) vals.push(x * 10, y * 15, 255 - x * 10);
    const t = tensor(vals, [h, w, 3]);
    const out = mkdtempSync(join(tmpdir(), 'convkit-save-'));
    await saveImg(join(out, 'a.png'), t, { scale: false });
    assert.deepEqual([...imgToArray(await loadImg(join(out, 'a.png'))).values], vals);
    await saveImg(join(out, 'a.jpg'), t, { scale: false, quality: 95 });
    const j = imgToArray(await loadImg(join(out, 'a.jpg'))).values;
    let err = 0;
    for (let i = 0; i < vals.length; i++) err += Math.abs(j[i] - vals[i]);
    assert.ok(err / vals.length < 4, `mean abs JPEG error ${err / vals.length}`);
    await saveImg(join(out, 'a.webp'), t, { scale: false });
    assert.deepEqual(imgToArray(await loadImg(join(out, 'a.webp'))).shape, [h, w, 3]);
    const gray: Image = { data: Uint8Array.from([0, 50, 100, 150, 200, 250]), width: 3, height: 2, channels: 1 };
    await saveImg(join(out, 'g.png'), gray);
    const meta = await sharp(join(out, 'g.png')).metadata();
    assert.equal(meta.channels, 1, 'a one-channel image is written as a grayscale PNG');
    assert.deepEqual([...(await loadImg(join(out, 'g.png'), { colorMode: 'grayscale' })).data], [...gray.data]);
    assert.deepEqual(readdirSync(out).sort(), ['a.jpg', 'a.png', 'a.webp', 'g.png']);
    await assert.rejects(saveImg(join(out, 'a.gif'), t), /Cannot tell the image format of .*a\.gif/);
  });
});
