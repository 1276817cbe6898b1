// JSON-lines log files under `.brightrun/logs/`: one object per line with `ts` first, so
// `tail -f` reads well and `jq` or a log shipper parses every line.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export type LogEntry = Record<string, unknown>;

export interface LogFile {
  path: string;
  write(entry: LogEntry): void;
  /** A line another program printed: kept as is when it is JSON, else wrapped as `{line}`. */
  writeLine(line: string, extra?: LogEntry): void;
  close(): Promise<void>;
}

export function openLogFile(dir: string, name: string): LogFile {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.log`);
  const stream: WriteStream = createWriteStream(path, { flags: 'a' });
  // A full disk must not crash the stack; the log is best effort.
  stream.on('error', () => {});
  const write = (entry: LogEntry) => {
    stream.write(`${JSON.stringify({ ts: new Date().toISOString(), ...entry })}\n`);
  };
  return {
    path,
    write,
    writeLine(line, extra = {}) {
      const trimmed = line.trim();
      if (trimmed === '') return;
      if (trimmed.startsWith('{')) {
        try {
          const parsed = JSON.parse(trimmed) as unknown;
          if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
            const entry = parsed as LogEntry;
            stream.write(
              `${JSON.stringify('ts' in entry ? { ...extra, ...entry } : { ts: new Date().toISOString(), ...extra, ...entry })}\n`,
            );
            return;
          }
        } catch {
          // Not JSON after all: wrapped below.
        }
      }
      write({ ...extra, line: trimmed });
    },
    close: () => new Promise((resolve) => stream.end(() => resolve())),
  };
}
