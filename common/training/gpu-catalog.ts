/** GPU types, prices and throughput of training.md §2. Prices are never taken from a client. */
export type GpuType = 'A100-80GB' | 'A100-40GB' | 'H100' | 'V100-32GB';

export interface GpuSpec {
  type: GpuType;
  /** US dollars per GPU-hour. */
  pricePerHour: number;
  /** Training throughput per GPU. */
  tokensPerSecond: number;
  memoryGb: number;
}

export const GPU_CATALOG: readonly GpuSpec[] = [
  { type: 'A100-80GB', pricePerHour: 3.5, tokensPerSecond: 1800, memoryGb: 80 },
  { type: 'A100-40GB', pricePerHour: 2.8, tokensPerSecond: 1500, memoryGb: 40 },
  { type: 'H100', pricePerHour: 4.2, tokensPerSecond: 2200, memoryGb: 80 },
  { type: 'V100-32GB', pricePerHour: 2.1, tokensPerSecond: 1200, memoryGb: 32 },
];

export const DEFAULT_GPU_TYPE: GpuType = 'A100-80GB';

export function gpuSpec(type: string): GpuSpec | undefined {
  return GPU_CATALOG.find((g) => g.type === type);
}
