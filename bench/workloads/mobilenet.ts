/**
 * convkit MobileNetV2 inference at 224×224×3 (random weights): model.predict on batch 1 (latency,
 * ms) and larger batches (images/s). `--sizes 1,16`.
 */
import { tensor, getBackend } from '../../src/index.js';
import { mobileNetV2 } from '../../src/applications/index.js';
import { emit, fillRandom, mobilenetKind, parseChildArgs, peakRssMB, runVariants } from '../common.js';
import { convkitInfo } from './convkit_env.js';

const args = parseChildArgs();
getBackend();
const model = mobileNetV2();

const results = await runVariants(args, mobilenetKind, (batch) => {
  const x = tensor(fillRandom(new Float32Array(batch * 224 * 224 * 3), 3, -1, 1), [batch, 224, 224, 3]);
  return () => model.predict(x, { batchSize: batch });
});
emit({ framework: 'convkit', workload: 'mobilenet', threads: args.threads, info: convkitInfo(), results, peakRssMB: peakRssMB() });
