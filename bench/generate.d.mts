/** Types of generate.mjs, for the tests that reuse the benchmark's data generator. */
export function ensureDataset(
  path: string,
  lines: number,
): { path: string; bytes: number; generated: boolean };
