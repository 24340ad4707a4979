/**
 * `convkit visualize` sub-commands: receptive-field (a table), erf and saliency (pictures). The
 * pictures are PNG or SVG by the --out extension, checked before any work; each command prints one
 * line saying what it wrote.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { SEED_ARCHITECTURES } from '../applications/seed_models.js';
import { COLORMAP_NAMES } from '../viz/colormap.js';
import { receptiveFields, receptiveFieldTable } from '../viz/receptive_field.js';
import { effectiveReceptiveField, type ErfInputs } from '../viz/erf.js';
import { erfFigure } from '../viz/erf_figure.js';
import { gradCam } from '../viz/saliency.js';
import { saliencyFigure } from '../viz/saliency_figure.js';
import { shortNumber } from '../viz/caption.js';
import { openModel, openModelOrArchitecture } from './commands.js';
import { loadModelInput } from './model_input.js';
import type { Print } from './visualize.js';
import { checkPictureOut, int } from './options.js';

function fraction(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(v.trim() !== '' && n >= 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be a number from 0 to 1, got ${JSON.stringify(v)}`);
    return n;
  };
}

export async function visualizeReceptiveField(target: string, json: boolean, print: Print): Promise<void> {
  const model = await openModelOrArchitecture(target);
  const rows = receptiveFields(model);
  if (json) print(JSON.stringify(rows));
  else print(`Theoretical receptive fields of "${model.name}"\n${receptiveFieldTable(rows)}`);
}

interface ErfArgs {
  layer: string;
  out: string;
  samples: number;
  inputs?: ErfInputs;
  seed: number;
  scale?: number;
}

export async function visualizeErf(modelPath: string, o: ErfArgs, print: Print): Promise<void> {
  await checkPictureOut(o.out);
  const model = await openModel(modelPath);
  const erf = effectiveReceptiveField(model, o.layer, { samples: o.samples, inputs: o.inputs, seed: o.seed });
  const fig = erfFigure(erf, { scale: o.scale });
  await fig.save(o.out);
  const field = erf.theoretical && !erf.theoretical.global ? `; theoretical field ${erf.theoretical.size.join('x')}` : '';
  print(`wrote ${o.out} (${fig.width}x${fig.height} px): effective receptive field of unit (${erf.unit.join(', ')}) of layer "${o.layer}" `
    + `(output ${erf.outputShape.slice(1).join('x')}), mean |gradient| over ${erf.samples} ${erf.inputs === 'random' ? 'random images' : 'embedded test digits'}${field}`);
}

interface SaliencyArgs {
  image?: string;
  index?: number;
  out: string;
  layer?: string;
  classIndex?: number;
  alpha: number;
  cmap: string;
  scale?: number;
}

export async function visualizeSaliency(modelPath: string, o: SaliencyArgs, print: Print): Promise<void> {
  await checkPictureOut(o.out);
  const model = await openModel(modelPath);
  const input = await loadModelInput(model, { image: o.image, index: o.index });
  const cam = gradCam(model, input.x, { layer: o.layer, classIndex: o.classIndex });
  const what = `class ${cam.classIndex} (p=${shortNumber(cam.probability)})`;
  const fig = saliencyFigure(input.display, cam.cam, {
    alpha: o.alpha, cmap: o.cmap, scale: o.scale, caption: `class ${cam.classIndex} p=${shortNumber(cam.probability, 2)}  ${cam.layer}`,
  });
  await fig.save(o.out);
  const [h, w] = cam.layerShape;
  print(`wrote ${o.out} (${fig.width}x${fig.height} px): Grad-CAM of ${what} at layer "${cam.layer}" (${h}x${w}, score ${cam.score}) for ${input.source}`);
}

export function registerAnalysisPictures(visualize: Command, print: Print): void {
  visualize.command('receptive-field')
    .description('theoretical receptive field, jump and start of every layer, as a table')
    .argument('<model>', `a saved model, or a built-in architecture (${Object.keys(SEED_ARCHITECTURES).join(', ')}) or Keras application (resnet50, mobilenetv2, …)`)
    .option('--json', 'print the rows as JSON: [{name, className, outputShape, size, jump, start, global, call?, note?}]')
    .action(async (target: string, o) => visualizeReceptiveField(target, Boolean(o.json), print));

  visualize.command('erf')
    .description('effective receptive field (Luo et al. 2016): mean |gradient| of a layer\'s centre unit over the input, with the theoretical field outlined')
    .argument('<model>', 'a saved model (.convkit, .keras, .h5, tfjs model.json)')
    .requiredOption('--layer <name>', 'a layer with (batch, height, width, channels) output')
    .requiredOption('--out <file>', 'output picture, .png or .svg')
    .option('--samples <n>', 'inputs averaged', int('--samples', 1), 32)
    .addOption(new Option('--inputs <kind>', 'embedded test digits or uniform random images (default: digits for 28x28x1 models)').choices(['digits', 'random']))
    .option('--seed <n>', 'seed of the random inputs', int('--seed', 0), 0)
    .option('--scale <n>', 'integer upscaling (default: the map at least 224 px)', int('--scale', 1))
    .action(async (model: string, o) => {
      await visualizeErf(model, { layer: o.layer, out: o.out, samples: o.samples, inputs: o.inputs, seed: o.seed, scale: o.scale }, print);
    });

  visualize.command('saliency')
    .description('Grad-CAM heat map of the class decision over the image (jet, alpha 0.4)')
    .argument('<model>', 'a saved model (.convkit, .keras, .h5, tfjs model.json)')
    .requiredOption('--out <file>', 'output picture, .png or .svg: the image size times --scale, plus a 24 px caption band')
    .option('--image <file>', 'an image file, read in the model\'s colour mode and resized to its input size, pixels / 255')
    .option('--index <n>', 'an embedded MNIST test digit (0..1999) instead of --image', int('--index', 0))
    .option('--layer <name>', 'layer explained (default: the last convolution, with its BN/activation)')
    .option('--class <k>', 'class explained (default: the top prediction)', int('--class', 0))
    .option('--alpha <a>', 'weight of the heat map over the image', fraction('--alpha'), 0.4)
    .addOption(new Option('--cmap <name>', 'colour map of the heat map').choices([...COLORMAP_NAMES]).default('jet'))
    .option('--scale <n>', 'integer upscaling (default: the image at least 224 px)', int('--scale', 1))
    .action(async (model: string, o) => {
      await visualizeSaliency(model, {
        image: o.image, index: o.index, out: o.out, layer: o.layer, classIndex: o.class, alpha: o.alpha, cmap: o.cmap, scale: o.scale,
      }, print);
    });
}
