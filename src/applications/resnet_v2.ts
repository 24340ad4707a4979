/**
 * ResNet50V2 / ResNet101V2 / ResNet152V2 (He et al., "Identity Mappings in Deep Residual Networks",
 * ECCV 2016): pre-activation ResNets with the architecture, layer names and arguments of
 * keras.applications.ResNet50V2 / 101V2 / 152V2 (Keras 3). Their weights expect 'tf' preprocessing.
 */
import { defineApplication } from './common.js';
import { preprocessTf } from './imagenet_utils.js';
import { type ResNetArgs, buildResNet, stackResidualBlocksV2 } from './resnet.js';

function resNetV2(fn: string, arch: string, depths: readonly [number, number, number, number]) {
  return defineApplication<ResNetArgs>((args) => buildResNet(fn, (x) => {
    x = stackResidualBlocksV2(x, 64, depths[0], 'conv2');
    x = stackResidualBlocksV2(x, 128, depths[1], 'conv3');
    x = stackResidualBlocksV2(x, 256, depths[2], 'conv4');
    return stackResidualBlocksV2(x, 512, depths[3], 'conv5', 1);
  }, true, true, args.name ?? arch, arch, args), { preprocessInput: preprocessTf });
}

/**
 * keras.applications.ResNet50V2: 25,613,800 parameters with the top (45,440 of them BatchNormalization
 * moving statistics). `resNet50V2.preprocessInput` is Keras's resnet_v2.preprocess_input ('tf': into [−1, 1]).
 */
export const resNet50V2 = resNetV2('ResNet50V2', 'resnet50v2', [3, 4, 6, 3]);
/** keras.applications.ResNet50V2 (the same function as resNet50V2). */
export const ResNet50V2 = resNet50V2;
/** keras.applications.ResNet101V2: 44,675,560 parameters with the top. */
export const resNet101V2 = resNetV2('ResNet101V2', 'resnet101v2', [3, 4, 23, 3]);
/** keras.applications.ResNet101V2 (the same function as resNet101V2). */
export const ResNet101V2 = resNet101V2;
/** keras.applications.ResNet152V2: 60,380,648 parameters with the top. */
export const resNet152V2 = resNetV2('ResNet152V2', 'resnet152v2', [3, 8, 36, 3]);
/** keras.applications.ResNet152V2 (the same function as resNet152V2). */
export const ResNet152V2 = resNet152V2;
