// The first time BrightRun activates with a folder open, it opens its Getting Started
// walkthrough, so that a newcomer (e.g. after `npm start`) lands on the steps that lead from the
// example dataset to a trained model rather than on an empty editor. Once per profile: the flag
// lives in globalState. Not under the extension-host tests, whose windows must stay predictable,
// not when the user turned it off (`brightrun.openWalkthroughOnFirstRun`), and not over a file the
// user already has open: the walkthrough must never take the focus from their work.
import * as vscode from 'vscode';

/** The walkthrough's id in package.json `contributes.walkthroughs`. */
export const WALKTHROUGH_ID = 'brightrun.gettingStarted';
const SHOWN_KEY = 'brightrun.walkthroughShown';

export async function openWalkthroughOnFirstRun(
  context: vscode.ExtensionContext,
): Promise<boolean> {
  if (context.extensionMode === vscode.ExtensionMode.Test) return false;
  if (context.globalState.get<boolean>(SHOWN_KEY, false)) return false;
  if (!vscode.workspace.workspaceFolders?.length) return false;
  const enabled = vscode.workspace
    .getConfiguration('brightrun')
    .get<boolean>('openWalkthroughOnFirstRun', true);
  if (!enabled || vscode.window.activeTextEditor !== undefined) return false;
  await context.globalState.update(SHOWN_KEY, true);
  await vscode.commands.executeCommand(
    'workbench.action.openWalkthrough',
    `${context.extension.id}#${WALKTHROUGH_ID}`,
    false,
  );
  return true;
}
