#!/usr/bin/python3
"""Reference outputs for convkit's `vision` toolkit, computed with NumPy, SciPy and scikit-image.

The TypeScript tests (test/vision/*.test.ts) compare convkit with these files to 1e-5, so `npm test`
needs no Python. Regenerate after changing a case (from the repository root):

    apt-get install -y python3-numpy python3-scipy python3-skimage   # Debian's packages
    /usr/bin/python3 scripts/golden/vision_golden.py                  # writes test/vision/golden/*.json

Deterministic: every random input comes from numpy.random.default_rng with a fixed seed, and
inputs are rounded to float32 so convkit's float32 Tensors hold exactly the values SciPy saw
(references are computed in float64). Each case is {"name", inputs..., "expected": {"shape", "data"}}
with arrays flattened row-major as {"shape": [...], "data": [...]}; input arrays are stored once in the
file's "arrays" list and cases refer to them as {"ref": index}.
"""
import json
import os

import numpy as np
import scipy
import scipy.ndimage as nd
import scipy.signal as ss
import skimage
from skimage.color import rgb2gray
from skimage.exposure import rescale_intensity
from skimage.measure import block_reduce

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'vision', 'golden'))
rng = np.random.default_rng(20240606)


def arr(a):
    a = np.asarray(a, dtype=np.float64)
    # 9 significant digits keep float32 inputs exact and float64 outputs far inside 1e-5.
    return {'shape': list(a.shape), 'data': [float(f'{v:.9g}') for v in a.ravel()]}


def rand(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32).astype(np.float64)


def share_inputs(cases):
    """Stores each input array once: many cases filter the same image, so cases name it by {"ref": i}."""
    arrays, index = [], {}
    for case in cases:
        for key, value in case.items():
            if key != 'expected' and isinstance(value, dict) and 'data' in value:
                token = json.dumps(value)
                if token not in index:
                    index[token] = len(arrays)
                    arrays.append(value)
                case[key] = {'ref': index[token]}
    return arrays


def write(name, cases):
    path = os.path.join(OUT, f'{name}.json')
    arrays = share_inputs(cases)
    doc = {
        'generator': 'scripts/golden/vision_golden.py',
        'versions': {'numpy': np.__version__, 'scipy': scipy.__version__, 'skimage': skimage.__version__},
        'arrays': arrays,
        'cases': cases,
    }
    with open(path, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    print(f'{path}: {len(cases)} cases, {os.path.getsize(path)} bytes')


def convolve1d_cases():
    cases = []
    seed_x = [0, 0, 26, 51, 58, 59, 53, 29, 0, 0, 0]
    seed_k = [-1, 2, -1]
    pairs = [('seed000', np.array(seed_x, float), np.array(seed_k, float))]
    for n, m in [(10, 3), (9, 4), (7, 7), (1, 1), (1, 5), (3, 8), (4, 9), (12, 2), (2, 6), (5, 6)]:
        pairs.append((f'rand_{n}x{m}', rand(n), rand(m)))
    for name, x, k in pairs:
        for mode in ['full', 'same', 'valid']:
            cases.append({'name': f'{name}_{mode}', 'x': arr(x), 'kernel': arr(k), 'mode': mode,
                          'expected': arr(np.convolve(x, k, mode=mode))})
    return cases


def conv2d_cases():
    """Seed 000's convolve2D (flip, zero padding, strides) through scipy.signal; correlate2d alike."""
    cases = []
    shapes = [((7, 8), (3, 3)), ((6, 5), (2, 2)), ((9, 7), (4, 3)), ((5, 5), (5, 5)), ((8, 9), (1, 2)),
              ((4, 6), (3, 5)), ((3, 3), (4, 4)), ((10, 11), (5, 4))]
    for (h, w), (kh, kw) in shapes:
        img = rand(h, w)
        k = rand(kh, kw)
        for op, fn in [('convolve2d', ss.convolve2d), ('correlate2d', ss.correlate2d)]:
            for strides in [(1, 1), (2, 2), (2, 3), (3, 1)]:
                s = f'{strides[0]}x{strides[1]}'
                # 'same': SciPy's centring, then every s-th output (what a strided window computes).
                same = fn(img, k, mode='same', boundary='fill', fillvalue=0)[::strides[0], ::strides[1]]
                cases.append({'name': f'{op}_{h}x{w}_k{kh}x{kw}_same_s{s}', 'op': op, 'image': arr(img), 'kernel': arr(k),
                              'padding': 'same', 'strides': list(strides), 'expected': arr(same)})
                for p in [0, 1, 2]:
                    if h + 2 * p < kh or w + 2 * p < kw:
                        continue
                    padded = np.pad(img, p)
                    full = fn(padded, k, mode='valid')[::strides[0], ::strides[1]]
                    cases.append({'name': f'{op}_{h}x{w}_k{kh}x{kw}_p{p}_s{s}', 'op': op, 'image': arr(img), 'kernel': arr(k),
                                  'padding': 'valid' if p == 0 and strides == (1, 1) else p,
                                  'strides': list(strides), 'expected': arr(full)})
    # Per channel: (h, w, c) with the same 2-D kernel on each channel.
    img = rand(6, 7, 3)
    k = rand(3, 3)
    exp = np.stack([ss.convolve2d(img[:, :, c], k, mode='same') for c in range(3)], axis=-1)
    cases.append({'name': 'convolve2d_rgb_same', 'op': 'convolve2d', 'image': arr(img), 'kernel': arr(k),
                  'padding': 'same', 'strides': [1, 1], 'expected': arr(exp)})
    return cases


def ndimage_cases():
    cases = []
    modes = ['reflect', 'constant', 'nearest', 'mirror', 'wrap']
    configs = [((7, 8), (3, 3), 0), ((6, 5), (2, 2), 0), ((9, 7), (4, 5), 0), ((5, 6), (4, 4), 0),
               ((3, 4), (7, 6), 0),    # kernel larger than the image
               ((2, 3), (9, 8), 0),    # much larger: the extension repeats several times
               ((1, 5), (3, 3), 0),    # a single row ('mirror' repeats one sample)
               ((6, 7), (3, 4), 1), ((8, 6), (5, 4), (-2, 1)), ((6, 6), (4, 4), (-2, 1))]
    for (h, w), (kh, kw), origin in configs:
        img = rand(h, w, lo=0, hi=4)
        k = rand(kh, kw)
        org = list(origin) if isinstance(origin, tuple) else origin
        for op, fn in [('convolve', nd.convolve), ('correlate', nd.correlate)]:
            for mode in modes:
                cval = 0.75 if mode == 'constant' else 0.0
                exp = fn(img, k, mode=mode, cval=cval, origin=origin)
                o = f'{origin[0]}_{origin[1]}' if isinstance(origin, tuple) else str(origin)
                cases.append({'name': f'{op}_{h}x{w}_k{kh}x{kw}_o{o}_{mode}', 'op': op, 'image': arr(img), 'kernel': arr(k),
                              'mode': mode, 'cval': cval, 'origin': org, 'expected': arr(exp)})
    # Seed 000's calls: vertical edge with constant 0, horizontal edge with reflect, ones with the default.
    img = rand(12, 10, lo=0, hi=1)
    vert = np.array([[1, 0, 0, 0, -1]] * 5, float)
    horz = np.array([[1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], [-1, -1, -1, -1]], float)
    ones = np.ones((3, 3))
    for name, k, kw in [('seed000_vertical_constant', vert, {'mode': 'constant', 'cval': 0.0}),
                        ('seed000_horizontal_reflect', horz, {'mode': 'reflect'}),
                        ('seed000_ones_default', ones, {})]:
        cases.append({'name': name, 'op': 'convolve', 'image': arr(img), 'kernel': arr(k),
                      'mode': kw.get('mode', 'reflect'), 'cval': kw.get('cval', 0.0), 'origin': 0,
                      'expected': arr(nd.convolve(img, k, **kw))})
    # Per channel: SciPy with weights[:, :, None].
    img = rand(5, 6, 3)
    k = rand(3, 2)
    cases.append({'name': 'convolve_rgb_wrap', 'op': 'convolve', 'image': arr(img), 'kernel': arr(k), 'mode': 'wrap',
                  'cval': 0.0, 'origin': 0, 'expected': arr(nd.convolve(img, k[:, :, None], mode='wrap'))})
    return cases


def block_reduce_cases():
    cases = []
    funcs = {'max': np.max, 'mean': np.mean, 'sum': np.sum, 'min': np.min, 'median': np.median}
    for (h, w), block, cval in [((8, 6), (2, 2), 0.0), ((7, 5), (2, 2), 0.0), ((7, 9), (3, 4), 0.5),
                                ((5, 5), (5, 5), 0.0), ((3, 7), (4, 2), -2.0), ((6, 6), (1, 3), 0.0)]:
        img = rand(h, w)
        for fname, f in funcs.items():
            cases.append({'name': f'{h}x{w}_b{block[0]}x{block[1]}_{fname}_c{cval}', 'image': arr(img), 'block': list(block),
                          'func': fname, 'cval': cval, 'expected': arr(block_reduce(img, block, f, cval=cval))})
    img = rand(5, 6, 2)
    cases.append({'name': 'rgb_max', 'image': arr(img), 'block': [2, 4], 'func': 'max', 'cval': 0.0,
                  'expected': arr(block_reduce(img, (2, 4, 1), np.max))})
    return cases


def color_cases():
    cases = []
    img = rand(4, 5, 3, lo=0, hi=1)
    cases.append({'name': 'rgb2gray_4x5', 'op': 'rgb2gray', 'image': arr(img), 'expected': arr(rgb2gray(img))})
    img = rand(2, 3, 4, 3, lo=0, hi=255)
    cases.append({'name': 'rgb2gray_batch', 'op': 'rgb2gray', 'image': arr(img), 'expected': arr(rgb2gray(img))})
    pos = rand(6, 7, lo=0.2, hi=3)
    neg = rand(6, 7, lo=-2, hi=3)
    for name, img, kw in [('default_positive', pos, {}), ('default_negative', neg, {}),
                          ('in_range', pos, {'in_range': (0.5, 2.0)}), ('in_range_neg_min', pos, {'in_range': (-1.0, 2.0)}),
                          ('out_range', neg, {'out_range': (0.0, 255.0)}), ('both', neg, {'in_range': (-1.0, 1.0), 'out_range': (-5.0, 5.0)}),
                          ('inverted_out', pos, {'out_range': (1.0, 0.0)}), ('in_dtype', neg, {'in_range': 'dtype'}),
                          ('out_image', neg, {'in_range': (0.0, 1.0), 'out_range': 'image'}),
                          ('constant', np.full((3, 3), 2.5), {}), ('constant_out', np.full((3, 3), 2.5), {'out_range': (0.0, 1.0)})]:
        opts = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}
        cases.append({'name': f'rescale_{name}', 'op': 'rescale', 'image': arr(img),
                      'inRange': opts.get('in_range', 'image'), 'outRange': opts.get('out_range', 'dtype'),
                      'expected': arr(rescale_intensity(img, **kw))})
    # Seed 000's preparation: rescale_intensity(rgb2gray(img)).
    img = rand(6, 8, 3, lo=0, hi=1)
    cases.append({'name': 'seed000_gray_rescaled', 'op': 'rgb2gray_rescale', 'image': arr(img),
                  'expected': arr(rescale_intensity(rgb2gray(img)))})
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    write('convolve1d', convolve1d_cases())
    write('convolve2d', conv2d_cases())
    write('ndimage', ndimage_cases())
    write('block_reduce', block_reduce_cases())
    write('color', color_cases())


if __name__ == '__main__':
    main()
