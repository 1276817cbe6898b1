/**
 * Commands the language server puts in code actions and the extension carries out, declared
 * once for both sides (like the messages in lsp.ts).
 */
import type { Severity } from '../engine/diagnostic.ts';
import type { RuleCode } from '../engine/rule-codes.ts';

/**
 * Sets one code's entry of `brightrun.validation.severity` for the workspace folder of `uri`
 * (settings are resource-scoped: the nearest thing to "in this file" that VS Code settings
 * have). The server revalidates when the configuration change reaches it.
 */
export const SET_RULE_SEVERITY_COMMAND = 'brightrun.setRuleSeverity';

export interface SetRuleSeverityArgs {
  uri: string;
  code: RuleCode;
  severity: Severity | 'off';
}
