import { resolve } from 'node:path';
import {
  LineConverter,
  type ConvertTarget,
} from '../../../../common/engine/convert/line-converter.ts';
import { Utf8LineReader } from '../../../../common/engine/json/utf8-line-reader.ts';
import { optionValue, parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { closeInputFile, openInputFile, readChunks } from '../file-chunks.ts';
import { CONVERT_HELP } from '../help.ts';
import { AtomicOutputFile } from '../output-file.ts';
import type { Output } from '../output.ts';
import { Progress } from '../progress.ts';

const COMMAND = 'convert';
const TARGETS: readonly ConvertTarget[] = ['brightrun_lora_v4', 'chat_messages'];
/** Distinct notes about what the target shape could not hold; more would repeat themselves. */
const MAX_NOTES = 10;

/** Stops the conversion at the first line that cannot be converted. */
class LineNotConverted extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `brightrun convert --to SHAPE IN OUT`: streams IN through the engine's line converter into
 * OUT. OUT is replaced only when every line converted (AtomicOutputFile).
 */
export async function runConvert(argv: string[], output: Output): Promise<number> {
  const args = parseArgs(COMMAND, argv, [{ name: 'to', kind: 'value' }]);
  if (args.help) {
    output.out(CONVERT_HELP);
    return 0;
  }
  const to = optionValue(args, 'to');
  if (to === undefined) {
    throw new UsageError(`option "--to" is required: ${TARGETS.join(' or ')}`, COMMAND);
  }
  if (!(TARGETS as readonly string[]).includes(to)) {
    throw new UsageError(`option "--to" must be ${TARGETS.join(' or ')}, got "${to}"`, COMMAND);
  }
  if (args.positionals.length !== 2) {
    throw new UsageError(
      `expected IN and OUT files, got ${args.positionals.length} paths`,
      COMMAND,
    );
  }
  const [inPath, outPath] = args.positionals;
  if (resolve(inPath) === resolve(outPath)) {
    throw new UsageError('IN and OUT must be different files', COMMAND);
  }

  const input = openInputFile(inPath);
  let out: AtomicOutputFile | undefined;
  const progress = Progress.forFile(output, inPath, input.size);
  try {
    out = new AtomicOutputFile(outPath);
    const target = out;
    const converter = new LineConverter(to as ConvertTarget);
    const notes = new Set<string>();
    let linesIn = 0;
    let linesOut = 0;
    const reader = new Utf8LineReader((line) => {
      if (line.invalidUtf8) {
        throw new LineNotConverted(line.index, 'not converted: BRL005 the line is not valid UTF-8');
      }
      const result = converter.convert(line.text);
      if (result.error !== undefined) throw new LineNotConverted(line.index, result.error);
      if (result.lines.length > 0 || line.text.trim() !== '') linesIn++;
      for (const text of result.lines) target.writeLine(text);
      linesOut += result.lines.length;
      for (const note of result.notes) if (notes.size < MAX_NOTES) notes.add(note);
    });
    await readChunks(input, (chunk, bytesRead) => {
      reader.push(chunk);
      progress?.update(bytesRead);
    });
    reader.end();
    target.commit();
    progress?.clear();
    for (const note of notes) output.err(`brightrun ${COMMAND}: note: ${note}\n`);
    output.out(
      `${inPath}: converted ${linesIn} lines into ${linesOut} ${to} lines in ${outPath}\n`,
    );
    return 0;
  } catch (err) {
    out?.abort();
    progress?.clear();
    if (err instanceof LineNotConverted) {
      output.err(`${inPath}:${err.line + 1}: ${err.message}\n`);
      output.err(
        `brightrun ${COMMAND}: ${outPath} was not written; fix line ${err.line + 1} (\`brightrun validate ${inPath}\` lists every problem) and run again\n`,
      );
      return 1;
    }
    throw err;
  } finally {
    closeInputFile(input);
  }
}
