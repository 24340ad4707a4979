/**
 * Checkpoint file-name templates against Python's str.format. Every expected string below was
 * produced by CPython 3 (`template.format(epoch=…, **logs)` with ints for epoch/batch and floats
 * for logs values, as Keras calls it); the test itself runs no Python.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedDirectory, formatTemplate, parseTemplate } from '../../src/callbacks/filepath_template.js';
import { pyFloat, pyFloatRepr, pyFormat, pyInt, type PyValue } from '../../src/callbacks/py_format.js';
import { ValueError } from '../../src/errors.js';

function values(ints: Record<string, number>, floats: Record<string, number>): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  for (const [k, v] of Object.entries(ints)) out[k] = pyInt(v);
  for (const [k, v] of Object.entries(floats)) out[k] = pyFloat(v);
  return out;
}

describe('filepath templates (Python str.format)', () => {
  it('fills templates as Python does', () => {
    const cases: [string, Record<string, number>, Record<string, number>, string][] = [
      ['ckpt-{epoch:02d}-{val_loss:.2f}.keras', { epoch: 3 }, { val_loss: 0.123456, loss: 0.5 }, 'ckpt-03-0.12.keras'],
      ['m-{accuracy:.4f}.keras', { epoch: 1 }, { accuracy: 0.87654321 }, 'm-0.8765.keras'],
      ['{epoch:03d}.weights.h5', { epoch: 7 }, {}, '007.weights.h5'],
      ['e{epoch}-l{loss}.keras', { epoch: 12 }, { loss: 0.25 }, 'e12-l0.25.keras'],
      ['e{epoch}-l{loss}.keras', { epoch: 12 }, { loss: 1e-5 }, 'e12-l1e-05.keras'],
      ['e{epoch}-l{loss}.keras', { epoch: 12 }, { loss: 1 }, 'e12-l1.0.keras'],
      ['{{literal}}-{epoch:>4}-{val_accuracy:.1%}.keras', { epoch: 5 }, { val_accuracy: 0.875 }, '{literal}-   5-87.5%.keras'],
      ['{loss:.3e}_{loss:g}_{loss:08.3f}_{loss:+.1f}.keras', {}, { loss: 0.000123456 }, '1.235e-04_0.000123456_0000.000_+0.0.keras'],
      ['b{batch:04d}-e{epoch}.keras', { epoch: 2, batch: 37 }, {}, 'b0037-e2.keras'],
      // Python rounds the exact binary value half to even, unlike toFixed.
      ['{val_loss:.2f}', {}, { val_loss: 0.125 }, '0.12'],
      ['{val_loss:.2f}', {}, { val_loss: 0.375 }, '0.38'],
      ['{val_loss:.1f}', {}, { val_loss: 0.25 }, '0.2'],
      ['{val_loss:.0f}', {}, { val_loss: 2.5 }, '2'],
      ['{val_loss}', {}, { val_loss: NaN }, 'nan'],
      ['{epoch:.2f}', { epoch: 3 }, {}, '3.00'],
    ];
    for (const [tpl, ints, floats, want] of cases) assert.equal(formatTemplate(tpl, values(ints, floats), 'test'), want, tpl);
  });

  it('formats single values as Python format() does', () => {
    const f: [number, string, string][] = [
      [100, '.3', '1e+02'], [10, '.3', '10.0'], [1234.5, '.3', '1.23e+03'], [0.0001, '.3', '0.0001'],
      [1e-5, 'g', '1e-05'], [0.5, '.1%', '50.0%'], [-5.5, 'x^+9.2f', 'xx-5.50xx'], [-0, '.2f', '-0.00'],
      [Infinity, 'F', 'INF'], [1e16, '', '1e+16'], [123456.789, '', '123456.789'], [0.1 + 0.2, '', '0.30000000000000004'],
    ];
    for (const [v, spec, want] of f) assert.equal(pyFormat(pyFloat(v), spec), want, `${v}:${spec}`);
    const i: [number, string, string][] = [[5, '<05', '50000'], [5, '^06', '005000'], [-5, '06', '-00005'], [255, 'x', 'ff'], [1, '%', '100.000000%']];
    for (const [v, spec, want] of i) assert.equal(pyFormat(pyInt(v), spec), want, `${v}:${spec}`);
    assert.equal(pyFloatRepr(-0), '-0.0');
    assert.equal(pyFloatRepr(1.5e-7), '1.5e-07');
  });

  it('rejects what Python rejects, naming the problem', () => {
    // Python: "Unknown format code 'd' for object of type 'float'".
    assert.throws(() => formatTemplate('{val_loss:02d}.keras', values({}, { val_loss: 0.5 }), 'ModelCheckpoint'),
      (e: Error) => e instanceof ValueError && /unknown format code 'd' for a float/.test(e.message) && /\{val_loss:02d\}/.test(e.message));
    // Python: "Precision not allowed in integer format specifier".
    assert.throws(() => pyFormat(pyInt(3), '.2d'), /precision is not allowed in an integer format spec/);
    assert.throws(() => parseTemplate('ckpt-{epoch.keras', 'ModelCheckpoint'), /'\{' at position 5 is never closed/);
    assert.throws(() => parseTemplate('ckpt-}.keras', 'ModelCheckpoint'), /single '\}' at position 5/);
    assert.throws(() => parseTemplate('ckpt-{}.keras', 'ModelCheckpoint'), /positional field \{\} has no value/);
    assert.throws(() => parseTemplate('{loss!r}.keras', 'ModelCheckpoint'), /conversions/);
    assert.throws(() => pyFormat(pyFloat(1), ',.2f'), /digit grouping/);
  });

  it('an unknown key names the available keys', () => {
    assert.throws(() => formatTemplate('m-{val_acc:.2f}.keras', values({ epoch: 1 }, { loss: 0.5, accuracy: 0.9 }), 'ModelCheckpoint'),
      (e: Error) => e instanceof ValueError && e.message.includes('no value named "val_acc"') && e.message.includes('available keys: epoch, loss, accuracy'));
  });

  it('fixedDirectory stops before the first field in the directory part', () => {
    assert.equal(fixedDirectory('runs/a/ckpt-{epoch}.keras', 't'), 'runs/a');
    assert.equal(fixedDirectory('runs/e{epoch}/m.keras', 't'), 'runs');
    assert.equal(fixedDirectory('{epoch}/m.keras', 't'), '.');
    assert.equal(fixedDirectory('/tmp/{epoch}/m.keras', 't'), '/tmp');
    assert.equal(fixedDirectory('m.keras', 't'), '.');
    assert.equal(fixedDirectory('a{{b}}/m.keras', 't'), 'a{b}');
  });
});
