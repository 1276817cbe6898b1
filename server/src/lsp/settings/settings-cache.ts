import type { Connection } from 'vscode-languageserver';
import { isRuleCode } from '../../../../common/engine/rule-codes.ts';
import type { SeverityOverrides } from '../../../../common/engine/rule-codes.ts';
import type { BrightRunSettings } from '../../../../common/protocol/lsp.ts';
import { DEFAULT_SETTINGS } from '../../../../common/protocol/lsp.ts';

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint', 'off']);

/**
 * Settings per document, asked of the client once and cached until the configuration
 * changes. A client without `workspace/configuration` gets the defaults.
 */
export class SettingsCache {
  private readonly cache = new Map<string, Promise<BrightRunSettings>>();

  constructor(
    private readonly connection: Connection,
    private readonly clientHasConfiguration: () => boolean,
  ) {}

  get(uri: string): Promise<BrightRunSettings> {
    let settings = this.cache.get(uri);
    if (settings === undefined) {
      settings = this.fetch(uri);
      this.cache.set(uri, settings);
    }
    return settings;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  clear(): void {
    this.cache.clear();
  }

  private async fetch(uri: string): Promise<BrightRunSettings> {
    if (!this.clientHasConfiguration()) return DEFAULT_SETTINGS;
    try {
      const raw: unknown = await this.connection.workspace.getConfiguration({
        scopeUri: uri,
        section: 'brightrun',
      });
      return normalizeSettings(raw);
    } catch {
      return DEFAULT_SETTINGS;
    }
  }
}

/** Reads the client's `brightrun` section, keeping defaults for anything missing or wrong. */
export function normalizeSettings(raw: unknown): BrightRunSettings {
  const root = asRecord(raw);
  const validation = asRecord(root.validation);
  const datasets = asRecord(root.datasets);
  const d = DEFAULT_SETTINGS;
  return {
    validation: {
      maxSeqLength: positiveInt(validation.maxSeqLength, d.validation.maxSeqLength),
      baseModel:
        typeof validation.baseModel === 'string' && validation.baseModel.trim() !== ''
          ? validation.baseModel.trim()
          : d.validation.baseModel,
      severity: severityOverrides(validation.severity),
      maxProblems: positiveInt(validation.maxProblems, d.validation.maxProblems),
    },
    datasets: {
      include: stringList(datasets.include, d.datasets.include),
      exclude: stringList(datasets.exclude, d.datasets.exclude),
    },
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

function stringList(value: unknown, fallback: string[]): string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : fallback;
}

function severityOverrides(value: unknown): SeverityOverrides {
  const result: SeverityOverrides = {};
  for (const [code, level] of Object.entries(asRecord(value))) {
    if (isRuleCode(code) && typeof level === 'string' && SEVERITIES.has(level)) {
      result[code] = level as SeverityOverrides[typeof code];
    }
  }
  return result;
}
