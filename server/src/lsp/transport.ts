import type {
  DataCallback,
  Disposable,
  Message,
  MessageReader,
  MessageWriter,
} from 'vscode-languageserver/node';
import {
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';
import { StdioMessageReader } from './stdio-reader.ts';

/** What the server learns about a message the moment it is read, before it is dispatched. */
export interface IncomingMessage {
  method: string;
  params: unknown;
  /** performance.now() when its body started decoding (0 unless timing is on). */
  receivedAt: number;
  /** CPU time of the process (user + system, ms) at that moment (0 unless timing is on). */
  receivedCpu: number;
}

/** CPU time the process has used so far (all its threads), in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The JSON of the diagnostics array of a `publishDiagnostics` params object, made and cached
 * by the server with the diagnostics themselves (see diagnostics/collect.ts). The stdio writer
 * assembles the message around it instead of serialising a thousand diagnostics again on every
 * keystroke; the bytes are the same JSON.
 */
const preSerialized = new WeakMap<object, Buffer[]>();

export function withSerializedDiagnostics<T extends object>(params: T, body: Buffer[]): T {
  preSerialized.set(params, body);
  return params;
}

/** performance.now() and CPU time when the last publishDiagnostics of each URI was encoded. */
export const encodedAt = new Map<string, { at: number; cpu: number }>();

function encodeMessage(message: unknown, timing: { on: boolean }): Buffer {
  const m = message as { method?: unknown; params?: { uri: string; version?: number } };
  if (timing.on && m.method === 'textDocument/publishDiagnostics' && m.params !== undefined) {
    const bytes = encodeDiagnostics(m as Required<typeof m>, message);
    encodedAt.set(m.params.uri, { at: performance.now(), cpu: cpuMs() });
    return bytes;
  }
  return encodeDiagnostics(m, message);
}

function encodeDiagnostics(
  m: { method?: unknown; params?: { uri: string; version?: number } },
  message: unknown,
): Buffer {
  const body = m.params !== undefined ? preSerialized.get(m.params) : undefined;
  if (body === undefined || m.method !== 'textDocument/publishDiagnostics') {
    return Buffer.from(JSON.stringify(message), 'utf8');
  }
  const version = m.params!.version === undefined ? '' : `,"version":${m.params!.version}`;
  const head =
    `{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":` +
    `${JSON.stringify(m.params!.uri)}${version},"diagnostics":`;
  return Buffer.concat([Buffer.from(head, 'utf8'), ...body, TAIL]);
}

const TAIL = Buffer.from('}}');

export interface Transport {
  reader: MessageReader;
  writer: MessageWriter;
  /** Called when the input closes (stdio): the server should exit. */
  onInputClosed(listener: () => void): void;
}

/**
 * The reader and writer for the transport named on the command line (`--stdio` or
 * `--node-ipc`), with a tap that sees every message as soon as it is read. The connection
 * dispatches messages one per event-loop turn; the tap lets the server know that a newer
 * version of a document is already waiting, so it never publishes diagnostics for a version
 * the client has replaced. Returns undefined for other transports (vscode-languageserver
 * then picks them from the command line itself, without the tap).
 */
export function createTransport(
  argv: readonly string[],
  tap: (message: IncomingMessage) => void,
  timing: { on: boolean },
  options: { plainReader?: boolean } = {},
): Transport | undefined {
  let decodeStart = 0;
  let decodeCpu = 0;
  if (argv.includes('--stdio')) {
    const markStart = () => {
      if (!timing.on) return;
      decodeStart = performance.now();
      decodeCpu = cpuMs();
    };
    // The plain reader is vscode-jsonrpc's own (the benchmark's naive server uses it).
    const reader = options.plainReader
      ? new StreamMessageReader(process.stdin, {
          charset: 'utf-8',
          contentTypeDecoder: {
            name: 'application/json',
            decode: (buffer: Uint8Array) => {
              markStart();
              const bytes =
                buffer instanceof Buffer
                  ? buffer
                  : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
              return Promise.resolve(JSON.parse(bytes.toString('utf8')) as Message);
            },
          },
        })
      : new StdioMessageReader(process.stdin, markStart);
    return {
      reader: tapped(
        reader,
        tap,
        () => decodeStart,
        () => decodeCpu,
      ),
      writer: new StreamMessageWriter(process.stdout, {
        charset: 'utf-8',
        contentTypeEncoder: {
          name: 'application/json',
          encode: (message) => Promise.resolve(encodeMessage(message, timing)),
        },
      }),
      onInputClosed: (listener) => {
        process.stdin.on('end', listener);
        process.stdin.on('close', listener);
      },
    };
  }
  if (argv.includes('--node-ipc')) {
    return {
      reader: tapped(
        new IPCMessageReader(process),
        tap,
        () => (timing.on ? performance.now() : 0),
        () => (timing.on ? cpuMs() : 0),
      ),
      writer: new IPCMessageWriter(process),
      onInputClosed: (listener) => process.on('disconnect', listener),
    };
  }
  return undefined;
}

function tapped(
  inner: MessageReader,
  tap: (message: IncomingMessage) => void,
  receivedAt: () => number,
  receivedCpu: () => number,
): MessageReader {
  return {
    onError: inner.onError,
    onClose: inner.onClose,
    onPartialMessage: inner.onPartialMessage,
    listen(callback: DataCallback): Disposable {
      return inner.listen((message: Message) => {
        const m = message as { method?: unknown; params?: unknown };
        if (typeof m.method === 'string') {
          try {
            tap({
              method: m.method,
              params: m.params,
              receivedAt: receivedAt(),
              receivedCpu: receivedCpu(),
            });
          } catch {
            // The tap only informs; a malformed message is the connection's to report.
          }
        }
        callback(message);
      });
    },
    dispose: () => inner.dispose(),
  };
}
