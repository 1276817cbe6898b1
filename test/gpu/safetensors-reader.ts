/**
 * An independent reader of the safetensors format for the tests: a second implementation, so a
 * mistake in the trainer's writer cannot hide behind the same mistake in its own reader.
 */
const DTYPE_SIZES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4 };

export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; data: Buffer }>;
  headerLength: number;
}

export function readSafetensors(bytes: Buffer): SafetensorsFile {
  if (bytes.length < 8) throw new Error('shorter than 8 bytes');
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (8 + headerLength > bytes.length) throw new Error('header runs past the end');
  const headerText = bytes.subarray(8, 8 + headerLength).toString('utf8');
  if (!headerText.startsWith('{')) throw new Error('header does not start with {');
  const header = JSON.parse(headerText) as Record<string, unknown>;
  const buffer = bytes.subarray(8 + headerLength);
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  delete header.__metadata__;
  const tensors: SafetensorsFile['tensors'] = {};
  const spans: [number, number][] = [];
  for (const [name, raw] of Object.entries(header)) {
    const info = raw as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const size = DTYPE_SIZES[info.dtype];
    if (size === undefined) throw new Error(`${name}: unknown dtype ${info.dtype}`);
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * size) throw new Error(`${name}: size does not match its shape`);
    spans.push([begin, end]);
    tensors[name] = { dtype: info.dtype, shape: info.shape, data: buffer.subarray(begin, end) };
  }
  spans.sort((a, b) => a[0] - b[0]);
  let position = 0;
  for (const [begin, end] of spans) {
    if (begin !== position) throw new Error(`gap or overlap at ${begin}`);
    position = end;
  }
  if (position !== buffer.length) throw new Error('bytes after the last tensor');
  return { metadata, tensors, headerLength };
}

export function float32Values(data: Buffer): number[] {
  const values: number[] = [];
  for (let i = 0; i < data.length; i += 4) values.push(data.readFloatLE(i));
  return values;
}
