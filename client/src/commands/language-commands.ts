// Commands the language server puts into code actions (common/protocol/lsp-commands.ts).
import * as vscode from 'vscode';
import {
  SET_RULE_SEVERITY_COMMAND,
  type SetRuleSeverityArgs,
} from '../../../common/protocol/lsp-commands.ts';
import type { CommandSpec } from './registry.ts';

export function languageCommands(): CommandSpec[] {
  return [
    { id: SET_RULE_SEVERITY_COMMAND, run: (args) => setRuleSeverity(args as SetRuleSeverityArgs) },
  ];
}

/**
 * Sets one rule's severity in `brightrun.validation.severity` for the workspace folder of the
 * file (or the workspace, or the user settings when there is neither); the server revalidates
 * when the change reaches it.
 */
async function setRuleSeverity(args: SetRuleSeverityArgs): Promise<void> {
  const uri = vscode.Uri.parse(args.uri);
  const config = vscode.workspace.getConfiguration('brightrun', uri);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const target = folder
    ? vscode.ConfigurationTarget.WorkspaceFolder
    : vscode.workspace.workspaceFolders
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  const inspected = config.inspect<Record<string, string>>('validation.severity');
  const current =
    (target === vscode.ConfigurationTarget.WorkspaceFolder
      ? inspected?.workspaceFolderValue
      : target === vscode.ConfigurationTarget.Workspace
        ? inspected?.workspaceValue
        : inspected?.globalValue) ?? {};
  await config.update('validation.severity', { ...current, [args.code]: args.severity }, target);
}
