import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatCount,
  formatShape,
  layoutCell,
  readableMemorySize,
  renderSummary,
  type SummaryRow,
} from '../../src/models/summary_format.js';

/**
 * The header row as Keras's source produces it (rich HEAVY_HEAD box, "Param #" right-justified).
 * The seed's copy lost the two inner ┃ in copy-paste; `seedBlock` checks that and swaps this in.
 */
const KERAS_HEADER_3 = '┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃';
const SEED_MANGLED_HEADER = '┃ Layer (type)                          Output Shape                         Param # ┃';

function seedBlock(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  assert.equal(lines[2], SEED_MANGLED_HEADER, 'seed header row is the known mangled copy');
  lines[2] = KERAS_HEADER_3;
  return lines.join('\n');
}

type Shape = (number | null)[];
const row = (name: string, className: string, outputShape: Shape, params: number): SummaryRow => ({
  name,
  className,
  outputShape,
  params,
});

/** Compare line by line first, so a failure names the line. */
function assertSameText(actual: string, expected: string): void {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) assert.equal(a[i], e[i], `line ${i + 1}`);
  assert.equal(actual, expected);
}

// Seed 003: Fashion-MNIST model_1 (build_model).
const SEED_MODEL_1 = `
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                          Output Shape                         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)             │ (None, 28, 28, 1)           │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d (Conv2D)                      │ (None, 28, 28, 32)          │             320 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_1 (Conv2D)                    │ (None, 28, 28, 32)          │           9,248 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_2 (Conv2D)                    │ (None, 28, 28, 32)          │           9,248 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ flatten (Flatten)                    │ (None, 25088)               │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense (Dense)                        │ (None, 128)                 │       3,211,392 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_1 (Dense)                      │ (None, 64)                  │           8,256 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_2 (Dense)                      │ (None, 10)                  │             650 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 3,239,114 (12.36 MB)
 Trainable params: 3,239,114 (12.36 MB)
 Non-trainable params: 0 (0.00 B)
`;

// Seed 003: model_2 (build_model2, with pooling and dropout).
const SEED_MODEL_2 = `
Model: "functional_3"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                          Output Shape                         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ input_layer_3 (InputLayer)           │ (None, 28, 28, 1)           │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_9 (Conv2D)                    │ (None, 28, 28, 32)          │             320 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ max_pooling2d_2 (MaxPooling2D)       │ (None, 14, 14, 32)          │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_10 (Conv2D)                   │ (None, 14, 14, 32)          │           9,248 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ max_pooling2d_3 (MaxPooling2D)       │ (None, 7, 7, 32)            │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout_2 (Dropout)                  │ (None, 7, 7, 32)            │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_11 (Conv2D)                   │ (None, 7, 7, 32)            │           9,248 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout_3 (Dropout)                  │ (None, 7, 7, 32)            │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ flatten_3 (Flatten)                  │ (None, 1568)                │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_9 (Dense)                      │ (None, 128)                 │         200,832 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_10 (Dense)                     │ (None, 64)                  │           8,256 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_11 (Dense)                     │ (None, 10)                  │             650 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 228,554 (892.79 KB)
 Trainable params: 228,554 (892.79 KB)
 Non-trainable params: 0 (0.00 B)
`;

// Seed 003: model_3 (build_model3, BatchNormalization: names wrap onto two lines).
const SEED_MODEL_3 = `
Model: "functional_5"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                          Output Shape                         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ input_layer_5 (InputLayer)           │ (None, 28, 28, 1)           │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_15 (Conv2D)                   │ (None, 28, 28, 32)          │             320 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ batch_normalization_4                │ (None, 28, 28, 32)          │             128 │
│ (BatchNormalization)                 │                             │                 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ max_pooling2d_6 (MaxPooling2D)       │ (None, 14, 14, 32)          │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_16 (Conv2D)                   │ (None, 12, 12, 64)          │          18,496 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ batch_normalization_5                │ (None, 12, 12, 64)          │             256 │
│ (BatchNormalization)                 │                             │                 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ max_pooling2d_7 (MaxPooling2D)       │ (None, 6, 6, 64)            │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout_6 (Dropout)                  │ (None, 6, 6, 64)            │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_17 (Conv2D)                   │ (None, 6, 6, 128)           │          73,856 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout_7 (Dropout)                  │ (None, 6, 6, 128)           │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ flatten_5 (Flatten)                  │ (None, 4608)                │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_15 (Dense)                     │ (None, 512)                 │       2,359,808 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ batch_normalization_6                │ (None, 512)                 │           2,048 │
│ (BatchNormalization)                 │                             │                 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_16 (Dense)                     │ (None, 256)                 │         131,328 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ batch_normalization_7                │ (None, 256)                 │           1,024 │
│ (BatchNormalization)                 │                             │                 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_17 (Dense)                     │ (None, 10)                  │           2,570 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 2,589,834 (9.88 MB)
 Trainable params: 2,588,106 (9.87 MB)
 Non-trainable params: 1,728 (6.75 KB)
`;

test('header row: Keras-source form, and the seed copy is it minus the two inner ┃', () => {
  const text = renderSummary({ modelName: 'm', rows: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0 });
  const header = text.split('\n')[2]!;
  assert.equal(header, KERAS_HEADER_3);
  assert.equal(header.length, 88);
  const inner = header.slice(1, -1).replace(/┃/g, '');
  assert.equal(`┃${inner}┃`, SEED_MANGLED_HEADER);
});

test('seed 003 model_1 summary, line for line', () => {
  const rows = [
    row('input_layer', 'InputLayer', [null, 28, 28, 1], 0),
    row('conv2d', 'Conv2D', [null, 28, 28, 32], 320),
    row('conv2d_1', 'Conv2D', [null, 28, 28, 32], 9248),
    row('conv2d_2', 'Conv2D', [null, 28, 28, 32], 9248),
    row('flatten', 'Flatten', [null, 25088], 0),
    row('dense', 'Dense', [null, 128], 3211392),
    row('dense_1', 'Dense', [null, 64], 8256),
    row('dense_2', 'Dense', [null, 10], 650),
  ];
  const text = renderSummary({
    modelName: 'functional', rows, totalParams: 3239114, trainableParams: 3239114, nonTrainableParams: 0,
  });
  assertSameText(text, seedBlock(SEED_MODEL_1));
});

test('seed 003 model_2 summary, line for line', () => {
  const rows = [
    row('input_layer_3', 'InputLayer', [null, 28, 28, 1], 0),
    row('conv2d_9', 'Conv2D', [null, 28, 28, 32], 320),
    row('max_pooling2d_2', 'MaxPooling2D', [null, 14, 14, 32], 0),
    row('conv2d_10', 'Conv2D', [null, 14, 14, 32], 9248),
    row('max_pooling2d_3', 'MaxPooling2D', [null, 7, 7, 32], 0),
    row('dropout_2', 'Dropout', [null, 7, 7, 32], 0),
    row('conv2d_11', 'Conv2D', [null, 7, 7, 32], 9248),
    row('dropout_3', 'Dropout', [null, 7, 7, 32], 0),
    row('flatten_3', 'Flatten', [null, 1568], 0),
    row('dense_9', 'Dense', [null, 128], 200832),
    row('dense_10', 'Dense', [null, 64], 8256),
    row('dense_11', 'Dense', [null, 10], 650),
  ];
  const text = renderSummary({
    modelName: 'functional_3', rows, totalParams: 228554, trainableParams: 228554, nonTrainableParams: 0,
  });
  assertSameText(text, seedBlock(SEED_MODEL_2));
});

test('seed 003 model_3 summary (BatchNormalization wraps, non-trainable params), line for line', () => {
  const rows = [
    row('input_layer_5', 'InputLayer', [null, 28, 28, 1], 0),
    row('conv2d_15', 'Conv2D', [null, 28, 28, 32], 320),
    row('batch_normalization_4', 'BatchNormalization', [null, 28, 28, 32], 128),
    row('max_pooling2d_6', 'MaxPooling2D', [null, 14, 14, 32], 0),
    row('conv2d_16', 'Conv2D', [null, 12, 12, 64], 18496),
    row('batch_normalization_5', 'BatchNormalization', [null, 12, 12, 64], 256),
    row('max_pooling2d_7', 'MaxPooling2D', [null, 6, 6, 64], 0),
    row('dropout_6', 'Dropout', [null, 6, 6, 64], 0),
    row('conv2d_17', 'Conv2D', [null, 6, 6, 128], 73856),
    row('dropout_7', 'Dropout', [null, 6, 6, 128], 0),
    row('flatten_5', 'Flatten', [null, 4608], 0),
    row('dense_15', 'Dense', [null, 512], 2359808),
    row('batch_normalization_6', 'BatchNormalization', [null, 512], 2048),
    row('dense_16', 'Dense', [null, 256], 131328),
    row('batch_normalization_7', 'BatchNormalization', [null, 256], 1024),
    row('dense_17', 'Dense', [null, 10], 2570),
  ];
  const text = renderSummary({
    modelName: 'functional_5', rows, totalParams: 2589834, trainableParams: 2588106, nonTrainableParams: 1728,
  });
  assertSameText(text, seedBlock(SEED_MODEL_3));
});

// A Keras 3 functional model that is not sequential-like, as printed by Keras (108 columns).
// Shows the "Connected to" column, wrapping at ", " and rich's "…" for words longer than a column.
const TRANSFORMER = `
Model: "transformer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ input (InputLayer)            │ (None, 76, 50)            │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ multi_head_attention          │ (None, 76, 50)            │         415,794 │ input[0][0], input[0][0],  │
│ (MultiHeadAttention)          │                           │                 │ input[0][0]                │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ add (Add)                     │ (None, 76, 50)            │               0 │ input[0][0],               │
│                               │                           │                 │ multi_head_attention[0][0] │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ layer_normalization           │ (None, 76, 50)            │             100 │ add[0][0]                  │
│ (LayerNormalization)          │                           │                 │                            │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ dense (Dense)                 │ (None, 76, 50)            │           2,550 │ layer_normalization[0][0]  │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ dropout_1 (Dropout)           │ (None, 76, 50)            │               0 │ dense[0][0]                │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ add_1 (Add)                   │ (None, 76, 50)            │               0 │ layer_normalization[0][0], │
│                               │                           │                 │ dropout_1[0][0]            │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ multi_head_attention_1        │ (None, 76, 50)            │         415,794 │ add_1[0][0], add_1[0][0],  │
│ (MultiHeadAttention)          │                           │                 │ add_1[0][0]                │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ add_2 (Add)                   │ (None, 76, 50)            │               0 │ input[0][0],               │
│                               │                           │                 │ multi_head_attention_1[0]… │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ layer_normalization_1         │ (None, 76, 50)            │             100 │ add_2[0][0]                │
│ (LayerNormalization)          │                           │                 │                            │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ dense_1 (Dense)               │ (None, 76, 50)            │           2,550 │ layer_normalization_1[0][… │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ dropout_3 (Dropout)           │ (None, 76, 50)            │               0 │ dense_1[0][0]              │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ add_3 (Add)                   │ (None, 76, 50)            │               0 │ layer_normalization_1[0][… │
│                               │                           │                 │ dropout_3[0][0]            │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ global_average_pooling1d      │ (None, 50)                │               0 │ add_3[0][0]                │
│ (GlobalAveragePooling1D)      │                           │                 │                            │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ dense_2 (Dense)               │ (None, 1)                 │              51 │ global_average_pooling1d[… │
└───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘
 Total params: 836,939 (3.19 MB)
 Trainable params: 836,939 (3.19 MB)
 Non-trainable params: 0 (0.00 B)
`;

test('"Connected to" table (108 columns): widths, wrapping at commas, ellipsis for long words', () => {
  const s = [null, 76, 50];
  const c = (name: string, className: string, params: number, connectedTo: string[], shape: Shape = s): SummaryRow => ({
    name, className, outputShape: shape, params, connectedTo,
  });
  const rows = [
    c('input', 'InputLayer', 0, []),
    c('multi_head_attention', 'MultiHeadAttention', 415794, ['input[0][0]', 'input[0][0]', 'input[0][0]']),
    c('add', 'Add', 0, ['input[0][0]', 'multi_head_attention[0][0]']),
    c('layer_normalization', 'LayerNormalization', 100, ['add[0][0]']),
    c('dense', 'Dense', 2550, ['layer_normalization[0][0]']),
    c('dropout_1', 'Dropout', 0, ['dense[0][0]']),
    c('add_1', 'Add', 0, ['layer_normalization[0][0]', 'dropout_1[0][0]']),
    c('multi_head_attention_1', 'MultiHeadAttention', 415794, ['add_1[0][0]', 'add_1[0][0]', 'add_1[0][0]']),
    c('add_2', 'Add', 0, ['input[0][0]', 'multi_head_attention_1[0][0]']),
    c('layer_normalization_1', 'LayerNormalization', 100, ['add_2[0][0]']),
    c('dense_1', 'Dense', 2550, ['layer_normalization_1[0][0]']),
    c('dropout_3', 'Dropout', 0, ['dense_1[0][0]']),
    c('add_3', 'Add', 0, ['layer_normalization_1[0][0]', 'dropout_3[0][0]']),
    c('global_average_pooling1d', 'GlobalAveragePooling1D', 0, ['add_3[0][0]'], [null, 50]),
    c('dense_2', 'Dense', 51, ['global_average_pooling1d[0][0]'], [null, 1]),
  ];
  const text = renderSummary({
    modelName: 'transformer', rows, totalParams: 836939, trainableParams: 836939, nonTrainableParams: 0,
    showConnectedTo: true,
  });
  assertSameText(text, TRANSFORMER.replace(/^\n/, '').replace(/\n$/, ''));
});

test('narrow terminal: line length min(108, columns - 4), names cut with "…"', () => {
  // As Keras printed it in an 80-column terminal (table 76 wide).
  const expected = [
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ lstm_features       │ (None, 128)       │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ unet_features       │ (None, 64)        │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalization │ (None, 128)       │        512 │ lstm_features[0]… │',
    '│ (BatchNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 64)        │        256 │ unet_features[0]… │',
    '│ (BatchNormalizatio… │                   │            │                   │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
  ];
  const rows: SummaryRow[] = [
    { name: 'lstm_features', className: 'InputLayer', outputShape: [null, 128], params: 0, connectedTo: [] },
    { name: 'unet_features', className: 'InputLayer', outputShape: [null, 64], params: 0, connectedTo: [] },
    { name: 'batch_normalization', className: 'BatchNormalization', outputShape: [null, 128], params: 512, connectedTo: ['lstm_features[0][0]'] },
    { name: 'batch_normalization_1', className: 'BatchNormalization', outputShape: [null, 64], params: 256, connectedTo: ['unet_features[0][0]'] },
  ];
  const data = { modelName: 'functional_12', rows, totalParams: 768, trainableParams: 384, nonTrainableParams: 384, showConnectedTo: true };
  const lines = renderSummary(data, undefined, { terminalColumns: 80 }).split('\n');
  assert.deepEqual(lines.slice(1, 1 + expected.length), expected);
  // An explicit line length wins over the terminal clamp.
  assert.equal(renderSummary(data, 76).split('\n')[1], expected[0]);
  assert.equal(renderSummary(data).split('\n')[1]!.length, 108);
});

test('totals: " Optimizer params" line only once the optimizer is built; total bytes add up', () => {
  const base = {
    modelName: 'm', rows: [row('output', 'Dense', [null, 1], 17)],
    totalParams: 3365, trainableParams: 1121, nonTrainableParams: 0,
  };
  // Keras (TF backend): Adam slots + float32 learning_rate + int64 iterations = 2,244 params, 8,980 bytes.
  const withOpt = renderSummary({ ...base, optimizerParams: 2244, optimizerBytes: 8980 }).split('\n');
  assert.deepEqual(withOpt.slice(-4), [
    ' Total params: 3,365 (13.15 KB)',
    ' Trainable params: 1,121 (4.38 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 2,244 (8.77 KB)',
  ]);
  const without = renderSummary({ ...base, totalParams: 1121 }).split('\n');
  assert.equal(without.at(-1), ' Non-trainable params: 0 (0.00 B)');
  assert.ok(!without.some((l) => l.includes('Optimizer')));
  // Default optimizer bytes: 4 per parameter.
  const small = renderSummary({ ...base, totalParams: 51400, trainableParams: 51398, optimizerParams: 2 }).split('\n');
  assert.deepEqual(small.slice(-4), [
    ' Total params: 51,400 (200.78 KB)',
    ' Trainable params: 51,398 (200.77 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 2 (8.00 B)',
  ]);
});

test('readableMemorySize: 1024-based, two decimals, Python rounding', () => {
  assert.equal(readableMemorySize(0), '0.00 B');
  assert.equal(readableMemorySize(3239114 * 4), '12.36 MB');
  assert.equal(readableMemorySize(228554 * 4), '892.79 KB');
  assert.equal(readableMemorySize(1728 * 4), '6.75 KB');
  assert.equal(readableMemorySize(2588106 * 4), '9.87 MB');
  assert.equal(readableMemorySize(143667240 * 4), '548.05 MB');
  assert.equal(readableMemorySize(21888 * 4), '85.50 KB');
  assert.equal(readableMemorySize(12), '12.00 B');
  assert.equal(readableMemorySize(1023), '1023.00 B');
  assert.equal(readableMemorySize(1024), '1.00 KB');
  assert.equal(readableMemorySize(1024 ** 3 * 1.5), '1.50 GB');
  // 1152 B = 1.125 KB exactly: Python rounds the tie to even (toFixed would give 1.13).
  assert.equal(readableMemorySize(1152), '1.12 KB');
  assert.equal(readableMemorySize(1164), '1.14 KB');
});

test('formatShape: Keras shape strings', () => {
  assert.equal(formatShape([null, 28, 28, 32]), '(None, 28, 28, 32)');
  assert.equal(formatShape([null, 10]), '(None, 10)');
  assert.equal(formatShape([null, null, 256]), '(None, None, 256)');
  assert.equal(formatShape([32, 10]), '(32, 10)');
  // Keras joins dims itself, so rank 1 has no tuple comma, and a scalar is ().
  assert.equal(formatShape([null]), '(None)');
  assert.equal(formatShape([]), '()');
  assert.equal(formatShape([[null, 10], [null, 5]]), '[(None, 10), (None, 5)]');
  assert.equal(formatShape([[null, 10]]), '(None, 10)');
  assert.equal(formatShape(null), '?');
});

test('formatCount: thousands separators', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(650), '650');
  assert.equal(formatCount(9248), '9,248');
  assert.equal(formatCount(143667240), '143,667,240');
  assert.equal(formatCount(102764544000), '102,764,544,000');
});

test('cells: unbuilt layers, unknown shapes, Trainable column', () => {
  const text = renderSummary({
    modelName: 'sequential',
    rows: [
      { name: 'dense', className: 'Dense', outputShape: null, params: 0, built: false },
      { name: 'dense_1', className: 'Dense', outputShape: [null, 4], params: 20, trainable: false },
      { name: 'flatten', className: 'Flatten', outputShape: [null, 4], params: 0 },
    ],
    totalParams: 20, trainableParams: 0, nonTrainableParams: 20, showTrainable: true,
  });
  const lines = text.split('\n');
  // 88 + 12 columns, positions [0.405, 0.72, 0.9, 1.0] → 40/32/18/10; rich takes 13 off evenly, which
  // leaves the Trainable column 7 cells wide: Keras really prints "Traina…" there.
  assert.equal(lines[1], '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓');
  assert.equal(lines[2], '┃ Layer (type)                          ┃ Output Shape                  ┃        Param # ┃ Traina… ┃');
  assert.equal(lines[4], '│ dense (Dense)                         │ ?                             │    0 (unbuilt) │    -    │');
  assert.equal(lines[6], '│ dense_1 (Dense)                       │ (None, 4)                     │             20 │    N    │');
  assert.equal(lines[8], '│ flatten (Flatten)                     │ (None, 4)                     │              0 │    -    │');
  assert.equal(lines[9], '└───────────────────────────────────────┴───────────────────────────────┴────────────────┴─────────┘');
  for (const l of lines.slice(1, 10)) assert.equal(l.length, 100);
});

test('layoutCell: word wrap, right/center justification, ellipsis', () => {
  assert.deepEqual(layoutCell('batch_normalization_4 (BatchNormalization)', 36, 'left'), [
    'batch_normalization_4               ',
    '(BatchNormalization)                ',
  ]);
  assert.deepEqual(layoutCell('Param #', 15, 'right'), ['        Param #']);
  assert.deepEqual(layoutCell('Y', 9, 'center'), ['    Y    ']);
  assert.deepEqual(layoutCell('abcdefghij', 5, 'left'), ['abcd…']);
  assert.deepEqual(layoutCell('ab abcdefghij cd', 5, 'left'), ['ab   ', 'abcd…', 'cd   ']);
});

test('too narrow a line length is an error, as in Keras', () => {
  assert.throws(
    () => renderSummary({ modelName: 'm', rows: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0 }, 8),
    /Insufficient console width/,
  );
});
