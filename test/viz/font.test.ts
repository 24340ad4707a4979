import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { textPath, textStrokes, textWidth } from '../../src/viz/font.js';
import { HERSHEY_SANS } from '../../src/viz/hershey_sans.js';
import { ValueError } from '../../src/errors.js';

describe('Hershey text', () => {
  it('has a glyph for every printable ASCII character', () => {
    for (let c = 32; c <= 126; c++) assert.ok(HERSHEY_SANS[String.fromCharCode(c)], `missing ${c}`);
    // The package's chars[i] is code 33 + i: 'A' is the three-stroke letter, not the 'B' at index 33.
    assert.equal(HERSHEY_SANS.A.d, 'M9,1 L1,22 M9,1 L17,22 M4,15 L14,15');
  });

  it('measures widths from the advances, scaled by size / cap height (21 units)', () => {
    // 'A' advances 18 units, 'B' 20, space 16.
    assert.equal(textWidth('A', 21), 18);
    assert.equal(textWidth('AB A', 21), 18 + 20 + 16 + 18);
    assert.equal(textWidth('A', 42), 36);
    assert.equal(textWidth('', 12), 0);
    // Characters outside the table count as '?'.
    assert.equal(textWidth('é', 21), textWidth('?', 21));
  });

  it('places the baseline at y and capitals size pixels above it', () => {
    const ys = textStrokes('H', 0, 100, 21).flat().map((p) => p[1]);
    assert.equal(Math.max(...ys), 100);
    assert.equal(Math.min(...ys), 79);
  });

  it('anchors start, middle and end at x', () => {
    const xs = (anchor: 'start' | 'middle' | 'end') => textStrokes('AB', 100, 50, 21, anchor).flat().map((p) => p[0]);
    const w = textWidth('AB', 21);
    assert.equal(Math.min(...xs('start')), 101); // 'A' starts 1 unit into its box
    assert.equal(Math.min(...xs('middle')), 101 - w / 2);
    assert.equal(Math.min(...xs('end')), 101 - w);
  });

  it('rotates about the anchor', () => {
    const pts = textStrokes('I', 0, 0, 21, 'start', -90).flat();
    // 'I' is x = 4, y from 1 to 22 in glyph units: rotated -90° it becomes horizontal at y = -4.
    for (const [, y] of pts) assert.ok(Math.abs(y + 4) < 1e-9);
    assert.deepEqual([...new Set(pts.map((p) => Math.round(p[0])))].sort((a, b) => a - b), [-21, 0]);
  });

  it('returns an SVG path of absolute moves and lines', () => {
    assert.equal(textPath('-', 0, 21, 21), 'M3 12L13 12');
    assert.match(textPath('Hi', 10, 20, 12, 'middle'), /^(M[-\d. ]+L[-\d. ]+)+$/);
  });

  it('rejects a size that is not a positive number and an unknown anchor', () => {
    assert.throws(() => textWidth('a', 0), ValueError);
    assert.throws(() => textPath('a', 0, 0, 12, 'left' as never), /anchor/);
  });
});
