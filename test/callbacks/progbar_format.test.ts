import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProgbarState,
  composeProgbarWrite,
  estimateStepDuration,
  formatDuration,
  formatElapsed,
  formatMetricValue,
  formatMetricValueVerbose2,
  formatProgbarEpochLine,
  formatProgbarLine,
  formatTimePerStep,
  orderMetrics,
  pyFormatExp,
  pyFormatFixed,
  sortLogsLikeKeras,
  visibleWidth,
} from '../../src/callbacks/progbar_format.js';

const BAR = '━'.repeat(20);

test('finished verbose=1 lines equal the seed 003 lines', () => {
  const cases: { expected: string; current: number; elapsed: number; tps: number; values: [string, number][] }[] = [
    {
      expected: `83/83 ${BAR} 3s 30ms/step - acc: 0.8564 - loss: 0.3977 - val_acc: 0.8658 - val_loss: 0.3770`,
      current: 83, elapsed: 2.61, tps: 0.0304,
      values: [['acc', 0.85643], ['loss', 0.39771], ['val_acc', 0.86579], ['val_loss', 0.37702]],
    },
    {
      expected: `1500/1500 ${BAR} 52s 33ms/step - accuracy: 0.8790 - loss: 0.4138 - val_accuracy: 0.9700 - val_loss: 0.0958`,
      current: 1500, elapsed: 52.4, tps: 0.0329,
      values: [['accuracy', 0.879], ['loss', 0.41384], ['val_accuracy', 0.97], ['val_loss', 0.09581]],
    },
    {
      expected: `313/313 ${BAR} 2s 3ms/step - acc: 0.9092 - loss: 0.6197`,
      current: 313, elapsed: 1.7, tps: 0.0031,
      values: [['acc', 0.90921], ['loss', 0.61969]],
    },
    {
      expected: `574710816/574710816 ${BAR} 12s 0us/step`,
      current: 574710816, elapsed: 12.0, tps: 12 / 574710816, values: [],
    },
    {
      expected: `17225924/17225924 ${BAR} 0s 0us/step`,
      current: 17225924, elapsed: 0.31, tps: 0.31 / 17225924, values: [],
    },
  ];
  for (const c of cases) {
    const line = formatProgbarLine({
      current: c.current, target: c.current, elapsedSeconds: c.elapsed, timePerStepSeconds: c.tps,
      values: c.values, finalized: true,
    });
    assert.equal(line, c.expected);
  }
});

test('metric order: training metrics sorted, then val_* sorted (Keras sorts logs, keeps first-seen order)', () => {
  const epochEnd: [string, number][] = [['val_loss', 0.377], ['loss', 0.3977], ['val_acc', 0.8658], ['acc', 0.8564]];
  assert.deepEqual(orderMetrics(epochEnd).map(([k]) => k), ['acc', 'loss', 'val_acc', 'val_loss']);
  assert.deepEqual(sortLogsLikeKeras({ loss: 1, accuracy: 2 }).map(([k]) => k), ['accuracy', 'loss']);
  // Code-point order, as Python sorts str: upper case before lower case.
  assert.deepEqual(sortLogsLikeKeras({ loss: 1, AUC: 2, acc: 3 }).map(([k]) => k), ['AUC', 'acc', 'loss']);
  const line = formatProgbarLine({
    current: 83, target: 83, elapsedSeconds: 2.61, timePerStepSeconds: 0.0304, values: orderMetrics(epochEnd), finalized: true,
  });
  assert.equal(line, `83/83 ${BAR} 3s 30ms/step - acc: 0.8564 - loss: 0.3977 - val_acc: 0.8658 - val_loss: 0.3770`);
});

test('running line: right-aligned counter, ETA instead of elapsed, bar fill', () => {
  const line = formatProgbarLine({
    current: 41, target: 1500, elapsedSeconds: 1.3, timePerStepSeconds: 0.031,
    values: [['accuracy', 0.61234], ['loss', 1.0]], finalized: false,
  });
  assert.equal(line, `  41/1500 ${BAR} 45s 31ms/step - accuracy: 0.6123 - loss: 1.0000`);
  // ETA over a minute: m:ss.
  const slow = formatProgbarLine({ current: 1, target: 1500, elapsedSeconds: 9, timePerStepSeconds: 0.05, finalized: false });
  assert.equal(slow, `   1/1500 ${BAR} 1:14 50ms/step`);
  // Keras's colours: bold counter and time, green done cells (int(20 * 750/1500) = 10), white rest.
  const ansi = formatProgbarLine({
    current: 750, target: 1500, elapsedSeconds: 24, timePerStepSeconds: 0.031, values: [['loss', 0.5]], finalized: false, ansi: true,
  });
  assert.equal(
    ansi,
    `\x1b[1m 750/1500\x1b[0m \x1b[32m${'━'.repeat(10)}\x1b[0m\x1b[37m${'━'.repeat(10)}\x1b[0m \x1b[1m23s\x1b[0m 31ms/step - loss: 0.5000`,
  );
  assert.equal(visibleWidth(ansi), ` 750/1500 ${BAR} 23s 31ms/step - loss: 0.5000`.length);
  // No done cell yet: no green segment at all; finished: empty white segment.
  const start = formatProgbarLine({ current: 1, target: 83, elapsedSeconds: 8, timePerStepSeconds: 8, finalized: false, ansi: true });
  assert.ok(!start.includes('\x1b[32m'));
  const end = formatProgbarLine({ current: 83, target: 83, elapsedSeconds: 8, timePerStepSeconds: 0.1, finalized: true, ansi: true });
  assert.ok(end.includes(`\x1b[32m${BAR}\x1b[0m\x1b[37m\x1b[0m`));
});

test('unknown target: "%7d/Unknown" and elapsed time', () => {
  const line = formatProgbarLine({
    current: 12, target: null, elapsedSeconds: 4.8, timePerStepSeconds: 0.4, values: [['loss', 0.1]], finalized: false,
  });
  assert.equal(line, '     12/Unknown 5s 400ms/step - loss: 0.1000');
});

test('verbose=2 epoch line', () => {
  const line = formatProgbarEpochLine({
    current: 83, target: 83, elapsedSeconds: 2.61, timePerStepSeconds: 0.0304,
    values: [['acc', 0.85643], ['loss', 0.39771], ['val_acc', 0.86579], ['val_loss', 0.37702]],
  });
  assert.equal(line, '83/83 - 3s - 30ms/step - acc: 0.8564 - loss: 0.3977 - val_acc: 0.8658 - val_loss: 0.3770');
  // verbose=2 tests v > 1e-3 without abs(): negatives print in e-notation.
  assert.equal(formatProgbarEpochLine({ current: 5, target: 10, elapsedSeconds: 1, timePerStepSeconds: 2, values: [['m', -0.25]] }),
    ' 5/10 - 1s - 2s/step - m: -2.5000e-01');
});

test('formatDuration (ETA): %ds up to 60 s, then m:ss, then h:mm:ss, truncating', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(52), '52s');
  assert.equal(formatDuration(52.9), '52s');
  assert.equal(formatDuration(60), '60s');
  assert.equal(formatDuration(62.7), '1:02');
  assert.equal(formatDuration(599.99), '9:59');
  assert.equal(formatDuration(3600), '60:00');
  assert.equal(formatDuration(3725.5), '1:02:05');
  assert.equal(formatDuration(90061), '25:01:01');
});

test('formatElapsed: rounded whole seconds, half to even like Python', () => {
  assert.equal(formatElapsed(52.4), '52s');
  assert.equal(formatElapsed(2.5), '2s');
  assert.equal(formatElapsed(3.5), '4s');
  assert.equal(formatElapsed(125), '125s');
  assert.equal(formatElapsed(0.31), '0s');
});

test('formatTimePerStep: s, ms, us', () => {
  assert.equal(formatTimePerStep(0.033), '33ms/step');
  assert.equal(formatTimePerStep(2.4), '2s/step');
  assert.equal(formatTimePerStep(1), '1s/step');
  assert.equal(formatTimePerStep(0.9996), '1000ms/step');
  assert.equal(formatTimePerStep(0.0005), '500us/step');
  assert.equal(formatTimePerStep(0), '0s/step');
  assert.equal(formatTimePerStep(0.001), '1ms/step');
  // 0.0325 * 1000 is exactly 32.5: Python rounds to even (toFixed would say 33).
  assert.equal(formatTimePerStep(0.0325), '32ms/step');
  assert.equal(formatTimePerStep(0.0335), '34ms/step');
  assert.equal(formatTimePerStep(0.25, 'sample'), '250ms/sample');
});

test('formatMetricValue: %.4f above 1e-3 in magnitude, else %.4e', () => {
  assert.equal(formatMetricValue(0.41384), '0.4138');
  assert.equal(formatMetricValue(2.7767), '2.7767');
  assert.equal(formatMetricValue(12345.678), '12345.6780');
  assert.equal(formatMetricValue(-0.25), '-0.2500');
  assert.equal(formatMetricValue(0.00095), '9.5000e-04');
  assert.equal(formatMetricValue(0.001), '1.0000e-03');
  assert.equal(formatMetricValue(0.00100001), '0.0010');
  assert.equal(formatMetricValue(-0.0005), '-5.0000e-04');
  assert.equal(formatMetricValue(0), '0.0000e+00');
  assert.equal(formatMetricValue(0.99995), '1.0000');
  assert.equal(formatMetricValue(0.03125), '0.0312');
  assert.equal(formatMetricValue(Number.NaN), 'nan');
  assert.equal(formatMetricValue(Infinity), 'inf');
  assert.equal(formatMetricValueVerbose2(-0.25), '-2.5000e-01');
  assert.equal(formatMetricValueVerbose2(0.25), '0.2500');
});

test('Python float formatting helpers', () => {
  assert.equal(pyFormatFixed(1.125, 2), '1.12');
  assert.equal(pyFormatFixed(1.375, 2), '1.38');
  assert.equal(pyFormatFixed(-0.0001, 2), '-0.00');
  assert.equal(pyFormatFixed(1e21, 1), '1000000000000000000000.0');
  assert.equal(pyFormatExp(0.00012345, 4), '1.2345e-04');
  assert.equal(pyFormatExp(9.99995e-5, 4), '9.9999e-05');
  assert.equal(pyFormatExp(1e100, 4), '1.0000e+100');
  assert.equal(pyFormatExp(5e-324, 2), '4.94e-324');
  assert.equal(pyFormatExp(-Infinity, 4), '-inf');
});

test('composeProgbarWrite: redraw prefix, padding over a longer previous line, final newline', () => {
  assert.deepEqual(composeProgbarWrite('abc', 10, { finalized: false }), { text: `${'\b'.repeat(10)}\rabc${' '.repeat(7)}`, width: 3 });
  assert.deepEqual(composeProgbarWrite('abcdef', 3, { finalized: true }), { text: '\b\b\b\rabcdef\n', width: 6 });
  assert.deepEqual(composeProgbarWrite('abc', 0, { finalized: false, dynamicDisplay: false }), { text: '\nabc', width: 3 });
  assert.equal(visibleWidth(`\x1b[1m1/3\x1b[0m ${BAR}`), 24);
});

test('estimateStepDuration leaves the first step out once it is done', () => {
  assert.equal(estimateStepDuration(0, 5, 0, null), 0);
  assert.equal(estimateStepDuration(1, 8, 0, null), 8);
  assert.equal(estimateStepDuration(3, 9, 0, 8), 0.5);
  assert.equal(estimateStepDuration(3, 9, 0, null), 3);
});

test('ProgbarState reproduces seed epoch 1 of model_3: 21s total, 160ms/step without the first step', () => {
  const bar = new ProgbarState({ target: 83, startSeconds: 0 });
  const writes: (string | null)[] = [];
  for (let step = 1; step <= 83; step++) {
    const now = 8.0 + (step - 1) * 0.15;
    writes.push(bar.update(step, sortLogsLikeKeras({ loss: 0.7634, acc: 0.7350 }), now, false));
  }
  const last = bar.update(83, sortLogsLikeKeras({ val_loss: 2.7767, loss: 0.7634, val_acc: 0.1299, acc: 0.7350 }), 21.12, true);
  const seed = `83/83 ${BAR} 21s 160ms/step - acc: 0.7350 - loss: 0.7634 - val_acc: 0.1299 - val_loss: 2.7767`;
  assert.ok(last !== null);
  assert.match(last, /^\x08+\r/);
  assert.equal(last.replace(/^\x08+\r/, ''), `${seed}\n`);
  // The first draw has nothing to erase and shows the ETA from the first step's time.
  assert.equal(writes[0], `\r 1/83 ${BAR} 10:56 8s/step - acc: 0.7350 - loss: 0.7634`);
});

test('ProgbarState: averaging weighted by steps, throttling, verbose=2', () => {
  const bar = new ProgbarState({ target: 4, startSeconds: 0 });
  assert.equal(bar.update(1, [['loss', 1.0]], 2.0), `\r1/4 ${'━'.repeat(5)}${'━'.repeat(15)} 6s 2s/step - loss: 1.0000`);
  // Within the 0.05 s interval and not final: nothing is written.
  assert.equal(bar.update(2, [['loss', 0.5]], 2.01), null);
  // Step 3 covers one step since the last update: (1·1 + 0.5·1 + 0.2·1) / 3.
  const third = bar.update(3, [['loss', 0.2]], 2.5);
  assert.ok(third !== null && third.endsWith(' - loss: 0.5667'), String(third));
  assert.deepEqual(bar.displayedValues().map(([k, v]) => [k, v.toFixed(4)]), [['loss', '0.5667']]);
  // Final update: the given value is shown as-is; new names are appended in first-seen order.
  const fin = bar.update(4, [['zeta', 3], ['loss', 0.1], ['val_loss', 0.3]], 3.0)!;
  assert.ok(fin.endsWith('4/4 ━━━━━━━━━━━━━━━━━━━━ 3s 333ms/step - loss: 0.1000 - zeta: 3.0000 - val_loss: 0.3000\n'), fin);

  const quiet = new ProgbarState({ target: 2, startSeconds: 0, verbose: 2 });
  assert.equal(quiet.update(1, [['loss', 1]], 1.0), null);
  assert.equal(quiet.update(2, [['loss', 0.5], ['val_loss', 0.25]], 1.5), '2/2 - 2s - 500ms/step - loss: 0.5000 - val_loss: 0.2500\n');
});
