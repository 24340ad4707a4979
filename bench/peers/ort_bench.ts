/**
 * onnxruntime-node peer (CPU provider, inference only): MobileNetV2 exported from torchvision and
 * a MatMul graph, both written to bench/.cache/ by export_mobilenet.py.
 * `--workload mobilenet|sgemm --model FILE --threads N`.
 */
import * as ort from 'onnxruntime-node';
import { emit, fillRandom, gemmRate, mobilenetKind, parseChildArgs, peakRssMB, runVariants } from '../common.js';

const args = parseChildArgs();
const modelPath = args.rest.get('model');
if (!modelPath) throw new Error('ort_bench: --model is required');
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: args.threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});

let results;
if (args.workload === 'mobilenet') {
  const [inputName] = session.inputNames;
  results = await runVariants(args, mobilenetKind, (batch) => {
    const x = new ort.Tensor('float32', fillRandom(new Float32Array(batch * 3 * 224 * 224), 3, -1, 1), [batch, 3, 224, 224]);
    return () => session.run({ [inputName]: x });
  });
} else if (args.workload === 'sgemm') {
  const [aName, bName] = session.inputNames;
  results = await runVariants(args, () => gemmRate, (n) => {
    const a = new ort.Tensor('float32', fillRandom(new Float32Array(n * n), 1, -1, 1), [n, n]);
    const b = new ort.Tensor('float32', fillRandom(new Float32Array(n * n), 2, -1, 1), [n, n]);
    return () => session.run({ [aName]: a, [bName]: b });
  });
} else {
  throw new Error(`ort_bench: unknown workload ${args.workload}`);
}
emit({ framework: 'ort', workload: args.workload, threads: args.threads, info: { version: ort.env.versions?.node ?? null }, results, peakRssMB: peakRssMB() });
