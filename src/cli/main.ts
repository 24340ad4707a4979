/** `convkit` command-line entry: argument parsing and error reporting only. */
import { CONVKIT_VERSION } from '../version.js';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConvkitError, ValueError } from '../errors.js';
import { SEED_ARCHITECTURES } from '../applications/seed_models.js';
import * as commands from './commands.js';
import { int, num } from './options.js';
import { TrainingInterrupted } from './train_session.js';
import { PREPROCESS_CHOICES } from './predict_images.js';
import { filter, NAMED_KERNELS, NDIMAGE_MODES, SCALES } from './filter.js';
import { SAVE_FORMATS } from '../io/model_io.js';
import { registerVisualize } from './visualize.js';
import { registerDashboard } from './dashboard.js';

function collectInts(v: string, prev: number[]): number[] {
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) if (!/^\d+$/.test(p)) throw new InvalidArgumentError(`--index takes non-negative integers, got ${JSON.stringify(p)}`);
  return [...prev, ...parts.map(Number)];
}

export function buildProgram(print: (s: string) => void, argv: readonly string[] = process.argv): Command {
  const program = new Command('convkit')
    .description('Convolutional neural networks for Node.js with Keras semantics')
    .version(CONVKIT_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program.command('train')
    .description('train a seed CNN (default LeNet-5) on the embedded MNIST digits, or on --dataset; writes the model and history.json')
    .addOption(new Option('--model <name>', 'architecture (default: lenet5; fashion-model2 for fashion-mnist, seed-cifar for cifar10 and directories)').choices(Object.keys(SEED_ARCHITECTURES)))
    .option('--dataset <name|dir>', 'mnist (full 60k/10k download, embedded subset when offline), fashion-mnist, cifar10 (downloaded from Keras\'s URLs into $CONVKIT_HOME/datasets), or a directory of class folders (default: the embedded MNIST digits, no network)')
    .option('--epochs <n>', 'epochs', int('--epochs', 1), 10)
    .option('--batch-size <n>', 'batch size', int('--batch-size', 1), 32)
    .option('--seed <n>', 'random seed (weights, shuffling)', int('--seed', 0), 42)
    .option('--learning-rate <lr>', 'Adam learning rate', num('--learning-rate', 0, 10), 0.001)
    .option('--validation-split <f>', 'fraction of the training digits held out for validation', num('--validation-split', 0, 0.9), 0.1)
    .option('--out <dir>', 'output directory (model.convkit, history.json, and backup/ while a run is unfinished)', 'convkit-out')
    .option('--resume', 'continue the interrupted run whose backup is in <out>/backup (same options; --epochs may grow)')
    .option('--backup-freq <n|epoch>', 'write the resumable backup after every epoch (default) or every n batches', (v: string) => (v === 'epoch' ? v : int('--backup-freq', 1)(v)), 'epoch')
    .option('--max-samples <n>', 'train on the first n training samples only', int('--max-samples', 1))
    .option('--quiet', 'no progress bar')
    .option('--logdir <dir>', 'record the run live in this run directory (e.g. runs/lenet-1) for `convkit dashboard --logdir runs`')
    .action(async (o) => {
      await commands.train({
        model: o.model, dataset: o.dataset, epochs: o.epochs, batchSize: o.batchSize, seed: o.seed, out: o.out, validationSplit: o.validationSplit,
        learningRate: o.learningRate, verbose: o.quiet ? 0 : 1, resume: Boolean(o.resume), backupFreq: o.backupFreq, maxSamples: o.maxSamples, argv,
        logdir: o.logdir,
      }, print);
    });

  program.command('evaluate')
    .description('loss and accuracy of a saved model on the 2,000 held-out embedded MNIST digits')
    .argument('<model>', 'model file (.convkit, Keras .keras/.h5, TensorFlow.js model.json) written by `convkit train`, model.save() or Keras')
    .option('--json', 'print JSON')
    .action(async (model, o) => commands.evaluate(model, Boolean(o.json), print));

  program.command('predict')
    .description('classify image files (an ImageNet model names its classes, as decode_predictions), or held-out test digits by --index')
    .argument('<model>', 'model file (.keras, .h5, .convkit, TensorFlow.js model.json) or URL')
    .argument('[images...]', 'image files (PNG, JPEG, WebP…), resized to the model\'s input')
    .option('--index <n...>', 'instead of images: embedded test-digit indices (repeatable, or comma-separated)', collectInts, [])
    .option('--top <k>', 'how many classes to show (default 5 for images, 3 for digits)', int('--top', 1))
    .addOption(new Option('--preprocess <mode>', 'image preprocessing: auto (from the model\'s name: caffe for VGG/ResNet, tf for MobileNet/Inception/ResNetV2, torch for DenseNet; else pixels / 255), or one of them, scale (/255), none').choices([...PREPROCESS_CHOICES]).default('auto'))
    .option('--json', 'print JSON')
    .action(async (model, images: string[], o) => {
      if (images.length > 0 && o.index.length > 0) throw new ValueError('predict: give image files or --index, not both');
      if (images.length > 0) return commands.predictImageFiles(model, images, o.top ?? 5, o.preprocess, Boolean(o.json), print);
      if (o.index.length === 0) throw new ValueError('predict: give image files to classify, or --index for embedded test digits');
      return commands.predict(model, o.index, o.top ?? 3, Boolean(o.json), print);
    });

  program.command('summary')
    .description(`Keras summary of a saved model or a built-in architecture (${Object.keys(SEED_ARCHITECTURES).join(', ')})`)
    .argument('<model-or-arch>', 'model file or architecture name')
    .option('--json', 'print {totalParams, trainableParams, nonTrainableParams, layers}')
    .action(async (target, o) => commands.summary(target, Boolean(o.json), print));

  program.command('convert')
    .description('rewrite a model in another format: Keras .keras/.h5, TensorFlow.js (model.json dir) or .convkit')
    .argument('<input>', 'model file, TensorFlow.js model.json or its directory, or URL')
    .argument('<output>', 'output path (.keras, .h5, .convkit, or a directory with --format tfjs)')
    .addOption(new Option('--format <format>', 'output format (default: from the output name)').choices([...SAVE_FORMATS]))
    .action(async (input, output, o) => commands.convert(input, output, o.format, print));

  program.command('info')
    .description('the backend in use, its instruction set and thread count, and versions')
    .option('--json', 'print the facts as one JSON object')
    .action((o: { json?: boolean }) => commands.info(print, o.json ?? false));

  program.command('filter')
    .description('filter an image (read as grayscale) with a classic kernel and write the response as a picture (seed 000\'s edge images)')
    .argument('<image>', 'input image (PNG, JPEG, WebP, GIF, TIFF…)')
    .requiredOption('--kernel <name|file.json>', `${NAMED_KERNELS.join(', ')}, or a JSON file with a 2-D array of numbers`)
    .requiredOption('--out <file>', 'output picture (.png, .jpg, .webp)')
    .addOption(new Option('--mode <mode>', 'border mode of scipy.ndimage.convolve (same-size output); without it, seed 000\'s convolve2d with --padding and --stride').choices([...NDIMAGE_MODES]))
    .option('--cval <v>', 'fill value for --mode constant', num('--cval', -Infinity, Infinity))
    .option('--padding <p>', 'convolve2d padding: valid, same (default) or a number of zero rows/columns', (v: string) => {
      if (v === 'valid' || v === 'same') return v;
      return int('--padding', 0)(v);
    })
    .option('--stride <n>', 'convolve2d stride (default 1)', int('--stride', 1))
    .option('--correlate', 'correlate (the CNN convention) instead of convolving with the flipped kernel')
    .option('--size <n>', 'size of the box (default 3) and gaussian (default 5) kernels', int('--size', 1))
    .option('--sigma <s>', 'gaussian sigma (default 1)', num('--sigma', 1e-6, 1e6))
    .addOption(new Option('--scale <how>', 'abs: |response| scaled to 0..255 (default); minmax: min..max to 0..255; clip: rounded and clipped like cv2.imwrite').choices([...SCALES]))
    .action(async (image, o) => filter(image, o, print));

  registerVisualize(program, print);
  registerDashboard(program, print);

  return program;
}

/** Runs the command; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function run(argv: string[], print: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const program = buildProgram(print, argv);
  if (argv.length <= 2) {
    program.outputHelp();
    return 2;
  }
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof TrainingInterrupted) return e.exitCode;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    const msg = e instanceof ConvkitError ? e.message : (e as Error)?.message ?? String(e);
    process.stderr.write(`convkit: error: ${msg.split('\n')[0]}\n`);
    if (process.env.CONVKIT_DEBUG) console.error(e);
    return 1;
  }
}
