/**
 * convkit training throughput: trainOnBatch (forward + backward + Adam, sparse categorical
 * cross-entropy) on synthetic data, images/s. `--workload lenet|cifar --sizes 32,128`.
 */
import { tensor, getBackend } from '../../src/index.js';
import { lenet5, seedCifarCnn } from '../../src/applications/index.js';
import { emit, fillRandom, parseChildArgs, peakRssMB, randomLabels, runVariants, throughput } from '../common.js';
import { convkitInfo } from './convkit_env.js';

const args = parseChildArgs();
const spec = args.workload === 'lenet' ? { build: () => lenet5(), shape: [28, 28, 1] }
  : args.workload === 'cifar' ? { build: seedCifarCnn, shape: [32, 32, 3] } : null;
if (!spec) throw new Error(`train.ts: unknown workload ${args.workload}`);
getBackend();

const results = await runVariants(args, () => throughput, (batch) => {
  const model = spec.build();
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  const shape = [batch, ...spec.shape];
  const x = tensor(fillRandom(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
  const y = tensor(randomLabels(batch, 10), [batch], 'int32');
  return () => model.trainOnBatch(x, y);
});
emit({ framework: 'convkit', workload: args.workload, threads: args.threads, info: convkitInfo(), results, peakRssMB: peakRssMB() });
