/** Walking the layers a layer or model holds. */
import type { Layer } from './layer.js';

/** Every layer inside `root`, each followed by the layers it holds in turn (nested models' layers included), in call order. */
export function flatLayers(root: Layer): Layer[] {
  const out: Layer[] = [];
  const visit = (l: Layer) => {
    for (const sub of l.subLayers()) {
      out.push(sub);
      visit(sub);
    }
  };
  visit(root);
  return out;
}
