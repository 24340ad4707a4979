/**
 * Pictures of what a CNN sees and does (the `convkit visualize` commands are thin wrappers):
 * a Figure that writes PNG or SVG, colour maps, tile grids, feature maps, filters, dataset samples,
 * training curves, confusion matrices, the layer graph (Keras's plot_model), receptive fields,
 * effective receptive fields and Grad-CAM.
 */
export { Figure, type Raster, figureExtension } from './figure.js';
export { colormap, toRaster, valueRange, COLORMAP_NAMES, type ColormapName } from './colormap.js';
export { textWidth } from './font.js';
export { tileGrid, tileGridLayout, gridLayout } from './grid.js';
export { layerActivations, featureMapsFigure, featureMapsLayout, featureMapTiles } from './feature_maps.js';
export { filtersFigure, filtersLayout, filterTiles, layerKernel } from './filters.js';
export { samplesFigure, samplesLayout, DATASET_CLASS_NAMES } from './samples.js';
export { curvesFigure, curvesLayout, parseHistory, readHistoryFile } from './curves.js';
export { confusionMatrix, perClassAccuracy, overallAccuracy, normalizeMatrix, confusionTable, confusionFigure, confusionLayout } from './confusion.js';
export { modelGraph, type ModelGraph, type ModelGraphNode } from './model_graph.js';
export { graphFigure, graphLayout, type GraphFigureOptions } from './graph.js';
export { plotModel, type PlotModelOptions } from './plot_model.js';
export { receptiveFields, receptiveFieldTable, receptiveFieldOf } from './receptive_field.js';
export { effectiveReceptiveField, centreUnitGradient } from './erf.js';
export { erfFigure } from './erf_figure.js';
export { gradCam, classGradient } from './saliency.js';
export { saliencyFigure, overlayCam } from './saliency_figure.js';
