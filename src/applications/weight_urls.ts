/**
 * Where keras.applications gets its ImageNet weights: the same URLs, cache file names and published
 * hashes (md5) as keras/src/applications/*.py, so a ~/.keras/models file can be reused as is.
 * MobileNet and MobileNetV2 have no published hash in Keras, so none is checked for them.
 */

import { ValueError, unknownName } from '../errors.js';

export interface KerasWeightsFile {
  fname: string;
  origin: string;
  fileHash?: string;
  cacheSubdir: 'models';
}

export interface KerasWeightsOptions {
  includeTop: boolean;
  /** Width multiplier (MobileNet, MobileNetV2 only). Default 1.0. */
  alpha?: number;
  /** Input size (MobileNet, MobileNetV2 only). Default 224. */
  rows?: number;
  /** MobileNetV3's minimalistic variant (no squeeze-excite, hard-swish or 5×5 kernels). Default false. */
  minimalistic?: boolean;
}

const GCS = 'https://storage.googleapis.com/tensorflow/keras-applications/';

/** Architectures with one file per include_top: [url directory, file stem, md5 with top, md5 without]. */
const FIXED: Record<string, [string, string, string, string]> = {
  vgg16: [`${GCS}vgg16/`, 'vgg16_weights_tf_dim_ordering_tf_kernels', '64373286793e3c8b2b4e3219cbf3544b', '6d6bbae143d832006294945121d1f1fc'],
  vgg19: [`${GCS}vgg19/`, 'vgg19_weights_tf_dim_ordering_tf_kernels', 'cbe5617147190e668d6c5d5026f83318', '253f8cb515780f3b799900260a226db6'],
  resnet50: [`${GCS}resnet/`, 'resnet50_weights_tf_dim_ordering_tf_kernels', '2cb95161c43110f7111970584f804107', '4d473c1dd8becc155b73f8504c6f6626'],
  resnet101: [`${GCS}resnet/`, 'resnet101_weights_tf_dim_ordering_tf_kernels', 'f1aeb4b969a6efcfb50fad2f0c20cfc5', '88cf7a10940856eca736dc7b7e228a21'],
  resnet152: [`${GCS}resnet/`, 'resnet152_weights_tf_dim_ordering_tf_kernels', '100835be76be38e30d865e96f2aaae62', 'ee4c566cf9a93f14d82f913c2dc6dd0c'],
  resnet50v2: [`${GCS}resnet/`, 'resnet50v2_weights_tf_dim_ordering_tf_kernels', '3ef43a0b657b3be2300d5770ece849e0', 'fac2f116257151a9d068a22e544a4917'],
  resnet101v2: [`${GCS}resnet/`, 'resnet101v2_weights_tf_dim_ordering_tf_kernels', '6343647c601c52e1368623803854d971', 'c0ed64b8031c3730f411d2eb4eea35b5'],
  resnet152v2: [`${GCS}resnet/`, 'resnet152v2_weights_tf_dim_ordering_tf_kernels', 'a49b44d1979771252814e80f8ec446f9', 'ed17cf2e0169df9d443503ef94b23b33'],
  densenet121: [`${GCS}densenet/`, 'densenet121_weights_tf_dim_ordering_tf_kernels', '9d60b8095a5708f2dcce2bca79d332c7', '30ee3e1110167f948a6b9946edeeb738'],
  densenet169: [`${GCS}densenet/`, 'densenet169_weights_tf_dim_ordering_tf_kernels', 'd699b8f76981ab1b30698df4c175e90b', 'b8c4d4c20dd625c148057b9ff1c1176b'],
  densenet201: [`${GCS}densenet/`, 'densenet201_weights_tf_dim_ordering_tf_kernels', '1ceb130c1ea1b78c3bf6114dbdfd8807', 'c13680b51ded0fb44dff2d8f86ac8bb1'],
  inception_v3: [`${GCS}inception_v3/`, 'inception_v3_weights_tf_dim_ordering_tf_kernels', '9a0d58056eeedaa3f26cb7ebd46da564', 'bcbd6486424b2319ff4ef7d526e38f63'],
  xception: [`${GCS}xception/`, 'xception_weights_tf_dim_ordering_tf_kernels', '0a58e3b7378bc2990ea3b43d5981f1f6', 'b0042744bf5b25fce3cb969f33bebb97'],
  inception_resnet_v2: [`${GCS}inception_resnet_v2/`, 'inception_resnet_v2_weights_tf_dim_ordering_tf_kernels', 'e693bd0210a403b3192acc6073ad2e96', 'd19885ff4a710c122648d3b5c3b684e4'],
};

/**
 * NASNet (keras/src/applications/nasnet.py): the cache name is not the URL's file name.
 * [cache name, file under tensorflow/keras-applications/nasnet/, md5] with the top, then without.
 */
const NASNET: Record<string, [[string, string, string], [string, string, string]]> = {
  nasnet_mobile: [['nasnet_mobile.h5', 'NASNet-mobile.h5', '020fb642bf7360b370c678b08e0adf61'], ['nasnet_mobile_no_top.h5', 'NASNet-mobile-no-top.h5', '1ed92395b5b598bdda52abe5c0dbfd63']],
  nasnet_large: [['nasnet_large.h5', 'NASNet-large.h5', '11577c9a518f0070763c2b964a382f17'], ['nasnet_large_no_top.h5', 'NASNet-large-no-top.h5', 'd81d89dc07e6e56530c4e77faddd61b5']],
};

/** EfficientNet lives in another bucket and its no-top file is `<name>_notop.h5`. */
const EFFICIENTNET_BASE = 'https://storage.googleapis.com/keras-applications/';
const EFFICIENTNET: Record<string, [string, string]> = {
  efficientnetb0: ['902e53a9f72be733fc0bcb005b3ebbac', '50bc09e76180e00e4465e1a485ddc09d'],
  efficientnetb1: ['1d254153d4ab51201f1646940f018540', '74c4e6b3e1f6a1eea24c589628592432'],
  efficientnetb2: ['b15cce36ff4dcbd00b6dd88e7857a6ad', '111f8e2ac8aa800a7a99e3239f7bfb39'],
  efficientnetb3: ['ffd1fdc53d0ce67064dc6a9c7960ede0', 'af6d107764bb5b1abb91932881670226'],
  efficientnetb4: ['18c95ad55216b8f92d7e70b3a046e2fc', 'ebc24e6d6c33eaebbd558eafbeedf1ba'],
  efficientnetb5: ['ace28f2a6363774853a83a0b21b9421a', '38879255a25d3c92d5e44e04ae6cec6f'],
  efficientnetb6: ['165f6e37dce68623721b423839de8be5', '9ecce42647a20130c1f39a5d4cb75743'],
  efficientnetb7: ['8c03f828fec3ef71311cd463b6759d99', 'cbcfe4450ddf6f3ad90b1b398090fe4a'],
};

/** EfficientNetV2 ([md5 with top, md5 without]): `<name>.h5` / `<name>_notop.h5` under tensorflow/keras-applications/efficientnet_v2/. */
const EFFICIENTNET_V2_BASE = `${GCS}efficientnet_v2/`;
const EFFICIENTNET_V2: Record<string, [string, string]> = {
  'efficientnetv2-b0': ['21ecbf6da12460d5c40bb2f29ceb2188', '893217f2bb855e2983157299931e43ff'],
  'efficientnetv2-b1': ['069f0534ff22adf035c89e2d9547a9dc', '0e80663031ca32d657f9caa404b6ec37'],
  'efficientnetv2-b2': ['424e49f28180edbde1e94797771950a7', '1dfe2e7a5d45b6632553a8961ea609eb'],
  'efficientnetv2-b3': ['1f1fc43bd98a6e4fd8fdfd551e02c7a0', 'f6abf7b5849ac99a89b50dd3fd532856'],
  'efficientnetv2-s': ['e1d88a8495beba45748fedd0cecbe016', 'af0682fb74e8c54910f2d4393339c070'],
  'efficientnetv2-m': ['a3bf6aa3276309f4fc6a34aa114c95cd', '1b8dc055df72dde80d614482840fe342'],
  'efficientnetv2-l': ['27e6d408b53c7ebc868fefa357689935', 'b0b66b5c863aef5b46e8608fe1711615'],
};

/** MobileNetV3 (keras/src/applications/mobilenet_v3.py WEIGHTS_HASHES): [md5 with top, md5 without]. */
const MOBILENET_V3: Record<string, [string, string]> = {
  'large_224_0.75_float': ['765b44a33ad4005b3ac83185abf1d0eb', '40af19a13ebea4e2ee0c676887f69a2e'],
  'large_224_1.0_float': ['59e551e166be033d707958cf9e29a6a7', '07fb09a5933dd0c8eaafa16978110389'],
  'large_minimalistic_224_1.0_float': ['675e7b876c45c57e9e63e6d90a36599c', 'ec5221f64a2f6d1ef965a614bdae7973'],
  'small_224_0.75_float': ['cb65d4e5be93758266aa0a7f2c6708b7', 'ebdb5cc8e0b497cd13a7c275d475c819'],
  'small_224_1.0_float': ['8768d4c2e7dee89b9d02b2d03d65d862', 'd3e8ec802a04aa4fc771ee12a9a9b836'],
  'small_minimalistic_224_1.0_float': ['99cd97fb2fcdad2bf028eb838de69e37', 'cde8136e733e811080d9fcd8a252f7e4'],
};

/** ConvNeXt (keras/src/applications/convnext.py WEIGHTS_HASHES): [sha256 with top, sha256 without]. */
const CONVNEXT: Record<string, [string, string]> = {
  convnext_tiny: ['8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff', 'd547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1'],
  convnext_small: ['ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c', '6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab'],
  convnext_base: ['52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6', '40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45'],
  convnext_large: ['070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6', '96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd'],
  convnext_xlarge: ['c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee', 'de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05'],
};

const MOBILENET_ALPHAS = [0.25, 0.5, 0.75, 1.0];
const MOBILENET_ROWS = [128, 160, 192, 224];
const MOBILENET_V2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];
const MOBILENET_V2_ROWS = [96, 128, 160, 192, 224];

export const KERAS_WEIGHTS_ARCHITECTURES: readonly string[] = [
  'mobilenet', 'mobilenet_v2', ...Object.keys(FIXED), ...Object.keys(EFFICIENTNET), ...Object.keys(EFFICIENTNET_V2),
  'mobilenet_v3_small', 'mobilenet_v3_large', ...Object.keys(CONVNEXT),
  ...Object.keys(NASNET),
];

/** 'MobileNetV2', 'mobilenet-v2' and 'mobilenet_v2' all name the same thing. */
function canonical(arch: string): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  return KERAS_WEIGHTS_ARCHITECTURES.find((a) => squash(a) === squash(arch));
}

/** Python's str(float): 1 → '1.0', 0.5 → '0.5' (Keras builds MobileNetV2 file names with it). */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

function pick(name: string, what: string, value: number, allowed: number[], show: (x: number) => string): number {
  if (!allowed.includes(value)) {
    throw new ValueError(
      `${name} ImageNet weights exist only for ${what} in {${allowed.map(show).join(', ')}}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The file keras.applications downloads for `arch`'s ImageNet weights, as getFile arguments. */
export function kerasWeightsFile(arch: string, opts: KerasWeightsOptions): KerasWeightsFile {
  const name = typeof arch === 'string' ? canonical(arch) : undefined;
  if (name === undefined) throw unknownName('architecture', arch, KERAS_WEIGHTS_ARCHITECTURES);
  if (opts === null || typeof opts !== 'object' || typeof opts.includeTop !== 'boolean') {
    throw new ValueError(`kerasWeightsFile: opts.includeTop must be true or false, got ${JSON.stringify(opts?.includeTop)}`);
  }
  const top = opts.includeTop;
  if (name === 'mobilenet' || name === 'mobilenet_v2') {
    const v2 = name === 'mobilenet_v2';
    const alpha = pick(name, 'alpha', opts.alpha ?? 1.0, v2 ? MOBILENET_V2_ALPHAS : MOBILENET_ALPHAS, pyFloat);
    const rows = pick(name, 'rows', opts.rows ?? 224, v2 ? MOBILENET_V2_ROWS : MOBILENET_ROWS, String);
    if (v2) {
      const fname = `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${pyFloat(alpha)}_${rows}${top ? '' : '_no_top'}.h5`;
      return { fname, origin: `${GCS}mobilenet_v2/${fname}`, cacheSubdir: 'models' };
    }
    // MobileNet v1 spells alpha as digits around an underscore: 0.25 → '2_5', 1.0 → '1_0'.
    const alphaText = { 0.25: '2_5', 0.5: '5_0', 0.75: '7_5', 1: '1_0' }[alpha] as string;
    const fname = `mobilenet_${alphaText}_${rows}_tf${top ? '' : '_no_top'}.h5`;
    return { fname, origin: `${GCS}mobilenet/${fname}`, cacheSubdir: 'models' };
  }
  if (name === 'mobilenet_v3_small' || name === 'mobilenet_v3_large') {
    // Keras: weights_mobilenet_v3_{small|large}[_minimalistic]_224_{str(alpha)}_float[_no_top_v2].h5
    const minimalistic = opts.minimalistic ?? false;
    const alpha = pick(name, 'alpha', opts.alpha ?? 1.0, minimalistic ? [1.0] : [0.75, 1.0], pyFloat);
    const key = `${name.slice('mobilenet_v3_'.length)}${minimalistic ? '_minimalistic' : ''}_224_${pyFloat(alpha)}_float`;
    const fname = `weights_mobilenet_v3_${key}${top ? '' : '_no_top_v2'}.h5`;
    return { fname, origin: `${GCS}mobilenet_v3/${fname}`, fileHash: MOBILENET_V3[key]![top ? 0 : 1], cacheSubdir: 'models' };
  }
  if (name in CONVNEXT) {
    const fname = `${name}${top ? '' : '_notop'}.h5`;
    return { fname, origin: `${GCS}convnext/${fname}`, fileHash: CONVNEXT[name]![top ? 0 : 1], cacheSubdir: 'models' };
  }
  if (name in EFFICIENTNET_V2) {
    const fname = `${name}${top ? '' : '_notop'}.h5`;
    return { fname, origin: EFFICIENTNET_V2_BASE + fname, fileHash: EFFICIENTNET_V2[name][top ? 0 : 1], cacheSubdir: 'models' };
  }
  if (name in NASNET) {
    const [fname, file, fileHash] = NASNET[name]![top ? 0 : 1];
    return { fname, origin: `${GCS}nasnet/${file}`, fileHash, cacheSubdir: 'models' };
  }
  if (name in EFFICIENTNET) {
    const fname = `${name}${top ? '' : '_notop'}.h5`;
    return { fname, origin: EFFICIENTNET_BASE + fname, fileHash: EFFICIENTNET[name][top ? 0 : 1], cacheSubdir: 'models' };
  }
  const [dir, stem, hashTop, hashNoTop] = FIXED[name];
  const fname = `${stem}${top ? '' : '_notop'}.h5`;
  return { fname, origin: dir + fname, fileHash: top ? hashTop : hashNoTop, cacheSubdir: 'models' };
}
