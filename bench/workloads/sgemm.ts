/** convkit single-precision matrix product C = A·B (n×n), GFLOP/s = 2n³ / time. `--sizes 1024,2048`. */
import { tensor, ops, getBackend } from '../../src/index.js';
import { emit, fillRandom, gemmRate, parseChildArgs, peakRssMB, runVariants } from '../common.js';
import { convkitInfo } from './convkit_env.js';

const args = parseChildArgs();
getBackend();

const results = await runVariants(args, () => gemmRate, (n) => {
  const a = tensor(fillRandom(new Float32Array(n * n), 1, -1, 1), [n, n]);
  const b = tensor(fillRandom(new Float32Array(n * n), 2, -1, 1), [n, n]);
  return () => ops.matMul(a, b);
});
emit({ framework: 'convkit', workload: 'sgemm', threads: args.threads, info: convkitInfo(), results, peakRssMB: peakRssMB() });
