/**
 * The language server's custom messages and settings, declared once and imported by the
 * server and the extension so the two sides cannot disagree.
 */
import type { SeverityOverrides } from '../engine/rule-codes.ts';
import type { LineShape } from '../engine/shape.ts';

/** Server → client after every validation: feeds the status bar. */
export const DATASET_SUMMARY_NOTIFICATION = 'brightrun/datasetSummary';

export interface DatasetSummary {
  uri: string;
  version: number;
  shape: LineShape | undefined;
  pairs: number;
  errors: number;
  warnings: number;
  trainingReady: boolean;
  /** Present once the background token count for this version has finished. */
  tokens?: { total: number; exact: boolean; tokenizer: string };
}

/** Client → server: validate a file from disk by streaming (for files VS Code will not sync). */
export const VALIDATE_FILE_REQUEST = 'brightrun/validateFile';

export interface ValidateFileParams {
  uri: string;
  /** A progress token the client created, for `$/progress` reports. */
  workDoneToken?: string | number;
}

export interface ValidateFileResult {
  summary: DatasetSummary;
  /** Diagnostics found in all; the published ones are capped at `maxProblems`. */
  totalDiagnostics: number;
}

/** The `brightrun.*` settings the server reads per document. */
export interface BrightRunSettings {
  validation: {
    maxSeqLength: number;
    baseModel: string;
    severity: SeverityOverrides;
    maxProblems: number;
  };
  datasets: {
    include: string[];
    exclude: string[];
  };
}

export const DEFAULT_SETTINGS: BrightRunSettings = {
  validation: {
    maxSeqLength: 2048,
    baseModel: 'mistralai/Mistral-7B-v0.1',
    severity: {},
    maxProblems: 1000,
  },
  datasets: {
    include: ['**/*.jsonl'],
    exclude: [],
  },
};

/**
 * Server → client, only when timing is on (environment variable `BRIGHTRUN_LSP_TIMING=1` or
 * initializationOptions `{ "timing": true }`): how long the server took from reading a
 * document change (or open) to handing the diagnostics of that version to the transport. The
 * benchmark (bench/lsp.mjs) reads it; when timing is off nothing is measured or sent.
 */
export const TIMING_NOTIFICATION = 'brightrun/timing';

export interface TimingReport {
  uri: string;
  version: number;
  event: 'open' | 'change';
  /**
   * From the start of decoding the message to the publishDiagnostics encoded and handed to the
   * transport, in milliseconds.
   */
  serverMs: number;
  /** Of which: from the open/change handler's start. */
  handlerMs: number;
  /** To the moment the transport reported the bytes written (the client must read them). */
  flushedMs: number;
  /**
   * CPU time the server process used over `serverMs` (all threads): the figure that does not
   * depend on what else the machine is doing.
   */
  cpuMs: number;
  diagnostics: number;
}
