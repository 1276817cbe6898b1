import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import { RULES, isRuleCode } from '../../../../../common/engine/rule-codes.ts';
import type { SetRuleSeverityArgs } from '../../../../../common/protocol/lsp-commands.ts';
import { SET_RULE_SEVERITY_COMMAND } from '../../../../../common/protocol/lsp-commands.ts';

/**
 * "Turn off BRLxxx": one action per code among the diagnostics, running the client command
 * that writes the code's `brightrun.validation.severity` override (dataset-format.md §3: users
 * override severities per code in settings). JSONL has no comments and an extra key is itself
 * a finding (BRL022), so the format offers no way to silence one line, and none is offered.
 */
export function suppressRuleActions(uri: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const byCode = new Map<string, Diagnostic[]>();
  for (const diagnostic of diagnostics) {
    const code = diagnostic.code;
    if (typeof code !== 'string' || !isRuleCode(code)) continue;
    const group = byCode.get(code) ?? [];
    group.push(diagnostic);
    byCode.set(code, group);
  }
  const actions: CodeAction[] = [];
  for (const [code, group] of byCode) {
    if (!isRuleCode(code)) continue;
    const args: SetRuleSeverityArgs = { uri, code, severity: 'off' };
    const title = `Turn off ${code} (${RULES[code].title}) in this workspace folder`;
    actions.push({
      title,
      kind: CodeActionKind.QuickFix,
      diagnostics: group,
      command: { title, command: SET_RULE_SEVERITY_COMMAND, arguments: [args] },
    });
  }
  return actions;
}
