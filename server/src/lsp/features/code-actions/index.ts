import type {
  CancellationToken,
  CodeAction,
  CodeActionParams,
  Diagnostic,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import type { ConvertTarget } from '../../../../../common/engine/convert/line-converter.ts';
import type { LineShape } from '../../../../../common/engine/shape.ts';
import { throwIfCancelled } from './cancellation.ts';
import { fixBlankLine } from './blank-line.ts';
import { fixClosedValue } from './closed-value.ts';
import { fixConversationTurn } from './conversation-turn.ts';
import {
  CONVERT_KIND,
  conversionBlocker,
  conversionTargets,
  convertDocument,
} from './convert-file.ts';
import { fixLineShape } from './convert-line.ts';
import { fixDuplicateLine } from './duplicate-line.ts';
import { fixHistoryLength, fixHistoryNumbering } from './history-turns.ts';
import { fixMisplacedMeta } from './misplaced-meta.ts';
import { fixMissingField, insertMissingFields, missingField } from './missing-field.ts';
import type { DocumentFixer, DocumentLines, LineFixer, QuickFix } from './quick-fix.ts';
import { fixDuplicateKey, fixUnknownProperty } from './remove-property.ts';
import { suppressRuleActions } from './suppress-rule.ts';
import { fixTotalPairs } from './total-pairs.ts';

/** The open document, as code actions read it. */
export interface CodeActionDocument extends DocumentLines {
  readonly uri: string;
  readonly version: number;
  readonly fileShape: LineShape | undefined;
}

/** What the client can take, from its `initialize` capabilities. */
export interface CodeActionClient {
  /** Versioned `documentChanges` (the client refuses an edit made for another version). */
  documentChanges: boolean;
  /** `codeAction/resolve` can fill in `edit` later (used for the costly conversion). */
  resolveEdit: boolean;
}

/** Fixers by rule code, for fixes that need only the diagnostic's line. */
const LINE_FIXERS: Readonly<Record<string, readonly LineFixer[]>> = {
  BRL006: [fixDuplicateKey],
  BRL012: [fixMissingField],
  BRL020: [fixMissingField],
  BRL022: [fixUnknownProperty],
  BRL026: [fixClosedValue],
  BRL031: [fixHistoryNumbering],
  BRL032: [fixHistoryLength],
  BRL038: [fixConversationTurn],
  BRL050: [fixMissingField],
  BRL051: [fixClosedValue, fixMissingField],
  BRL054: [fixMissingField],
  BRL055: [fixLineShape],
};

/** Fixers by rule code, for cross-line rules whose fix reads other lines. */
const DOCUMENT_FIXERS: Readonly<Record<string, readonly DocumentFixer[]>> = {
  BRL003: [fixBlankLine],
  BRL010: [fixMisplacedMeta],
  BRL011: [fixTotalPairs],
  BRL030: [fixDuplicateLine],
  BRL036: [fixDuplicateLine],
  BRL037: [fixDuplicateLine],
};

/** Data a conversion action carries until `codeAction/resolve` computes its edit. */
interface ConvertData {
  uri: string;
  target: ConvertTarget;
}

/**
 * The code actions for a range: a quick fix per fixable diagnostic the client sent (linked to
 * it), "add all missing fields" where one object lacks several, "turn off" per rule code, and
 * the conversions of the file as source actions. The token is checked between diagnostics.
 */
export async function provideCodeActions(
  document: CodeActionDocument,
  params: CodeActionParams,
  client: CodeActionClient,
  token: CancellationToken,
): Promise<CodeAction[]> {
  const only = params.context.only;
  const wanted = (kind: string) =>
    only === undefined || only.some((k) => kind === k || kind.startsWith(`${k}.`));
  const ours = params.context.diagnostics.filter(isOurs);
  const actions: CodeAction[] = [];

  if (wanted(CodeActionKind.QuickFix)) {
    // One action per distinct fix: deleting a copied line answers its BRL030, BRL036 and
    // BRL037 at once, and is offered once, linked to all three.
    const byEdit = new Map<string, CodeAction>();
    for (const diagnostic of ours) {
      throwIfCancelled(token);
      for (const fix of fixesFor(document, diagnostic)) {
        const key = `${fix.title}\u0000${JSON.stringify(fix.edits)}`;
        const same = byEdit.get(key);
        if (same !== undefined) {
          same.diagnostics!.push(diagnostic);
          continue;
        }
        const action = quickFix(document, client, fix, [diagnostic]);
        byEdit.set(key, action);
        actions.push(action);
      }
    }
    throwIfCancelled(token);
    actions.push(...addAllMissingFields(document, client, ours));
    actions.push(...suppressRuleActions(document.uri, ours));
  }

  // Source actions are asked for by kind (the Source Action menu); the bulb does not show them.
  if (only !== undefined) {
    throwIfCancelled(token);
    actions.push(...(await convertActions(document, client, wanted, token)));
  }
  return actions;
}

/** Fills in the edit of a conversion action (listed without one when the client can resolve). */
export async function resolveCodeAction(
  action: CodeAction,
  documentOf: (uri: string) => CodeActionDocument | undefined,
  client: CodeActionClient,
  token: CancellationToken,
): Promise<CodeAction> {
  const data = convertData(action.data);
  const document = data === undefined ? undefined : documentOf(data.uri);
  if (data === undefined || document === undefined || action.edit !== undefined) return action;
  const edit = await convertDocument(document, data.target, token);
  if (edit === undefined) return action;
  return { ...action, edit: workspaceEdit(document, client, [edit]) };
}

function fixesFor(document: CodeActionDocument, diagnostic: Diagnostic): QuickFix[] {
  const code = String(diagnostic.code);
  const line = diagnostic.range.start.line;
  // A diagnostic the client kept from an older, longer version may point past the end.
  if (!Number.isInteger(line) || line < 0 || line >= document.lineCount) return [];
  const fixes: QuickFix[] = [];
  const text = document.line(line);
  for (const fixer of LINE_FIXERS[code] ?? []) fixes.push(...fixer(text, line, diagnostic));
  for (const fixer of DOCUMENT_FIXERS[code] ?? []) fixes.push(...fixer(document, diagnostic));
  return fixes;
}

/** One action that adds every missing field of one object, when it lacks more than one. */
function addAllMissingFields(
  document: CodeActionDocument,
  client: CodeActionClient,
  diagnostics: readonly Diagnostic[],
): CodeAction[] {
  const groups = new Map<
    string,
    { line: number; at: number; items: Diagnostic[]; fields: string[] }
  >();
  for (const diagnostic of diagnostics) {
    const missing = missingField(diagnostic);
    if (missing === undefined) continue;
    const line = diagnostic.range.start.line;
    const key = `${line}:${missing.at}`;
    const group = groups.get(key) ?? { line, at: missing.at, items: [], fields: [] };
    group.items.push(diagnostic);
    group.fields.push(missing.field);
    groups.set(key, group);
  }
  const actions: CodeAction[] = [];
  for (const group of groups.values()) {
    if (group.fields.length < 2 || group.line >= document.lineCount) continue;
    const edits = insertMissingFields(
      document.line(group.line),
      group.line,
      group.at,
      group.fields,
    );
    if (edits.length === 0) continue;
    const title = `Add all ${group.fields.length} missing fields`;
    actions.push(quickFix(document, client, { title, edits }, group.items));
  }
  return actions;
}

async function convertActions(
  document: CodeActionDocument,
  client: CodeActionClient,
  wanted: (kind: string) => boolean,
  token: CancellationToken,
): Promise<CodeAction[]> {
  const targets = conversionTargets(document.fileShape).filter((target) =>
    wanted(`${CONVERT_KIND}.${target}`),
  );
  if (targets.length === 0) return [];
  const blocker = conversionBlocker(document);
  const actions: CodeAction[] = [];
  for (const target of targets) {
    const action: CodeAction = {
      title: `Convert the file to ${target}`,
      kind: `${CONVERT_KIND}.${target}`,
    };
    if (blocker !== undefined) {
      action.disabled = { reason: blocker };
    } else if (client.resolveEdit) {
      action.data = { uri: document.uri, target } satisfies ConvertData;
    } else {
      const edit = await convertDocument(document, target, token);
      if (edit === undefined) continue;
      action.edit = workspaceEdit(document, client, [edit]);
    }
    actions.push(action);
  }
  return actions;
}

function quickFix(
  document: CodeActionDocument,
  client: CodeActionClient,
  fix: QuickFix,
  diagnostics: Diagnostic[],
): CodeAction {
  const action: CodeAction = {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics,
    edit: workspaceEdit(document, client, fix.edits),
  };
  if (fix.preferred === true) action.isPreferred = true;
  return action;
}

function workspaceEdit(
  document: CodeActionDocument,
  client: CodeActionClient,
  edits: TextEdit[],
): WorkspaceEdit {
  if (client.documentChanges) {
    return {
      documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }],
    };
  }
  return { changes: { [document.uri]: edits } };
}

function isOurs(diagnostic: Diagnostic): boolean {
  return diagnostic.source === 'brightrun' && typeof diagnostic.code === 'string';
}

function convertData(data: unknown): ConvertData | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { uri, target } = data as Record<string, unknown>;
  if (typeof uri !== 'string') return undefined;
  if (target !== 'brightrun_lora_v4' && target !== 'chat_messages') return undefined;
  return { uri, target };
}
