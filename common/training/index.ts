// The training domain: limits, presets, GPU catalog, cost model, quality scoring, normalisation.
export * from './limits.ts';
export * from './presets.ts';
export * from './gpu-catalog.ts';
export * from './base-models.ts';
export * from './money.ts';
export * from './cost-model.ts';
export * from './validation-split.ts';
export * from './quality.ts';
export * from './normalize-config.ts';
