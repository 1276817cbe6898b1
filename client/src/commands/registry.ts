// The one place commands are registered: each handler's failure becomes a message that says
// what to do, with buttons for the usual remedies, and commands that need a backend explain how
// to configure one instead of failing.
import * as vscode from 'vscode';
import { BrightRunError, messageOf } from '../api/api-error.ts';
import type { Services } from '../services.ts';

export type CommandHandler = (...args: unknown[]) => unknown;

export interface CommandSpec {
  id: string;
  run: CommandHandler;
  /** Checks that a backend is configured and signed in before running. */
  needsBackend?: boolean;
}

/** The latest command failure (the extension-host tests print it when a command returns nothing). */
export const lastFailure: { command?: string; message?: string } = {};

export function registerCommands(services: Services, specs: CommandSpec[]): void {
  for (const spec of specs) {
    services.context.subscriptions.push(
      vscode.commands.registerCommand(spec.id, async (...args: unknown[]) => {
        try {
          if (spec.needsBackend) {
            const state = await services.backend.update();
            if (!state.configured || !state.signedIn) {
              // Not awaited: the command resolves while the message waits for the user.
              void explainBackend(state.problem ?? 'No BrightRun backend is configured.');
              return undefined;
            }
          }
          return await spec.run(...args);
        } catch (error) {
          if (error instanceof BrightRunError && error.kind === 'cancelled') return undefined;
          lastFailure.command = spec.id;
          lastFailure.message = messageOf(error);
          services.output.appendLine(
            `[${spec.id}] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
          void showFailure(error);
          return undefined;
        }
      }),
    );
  }
}

/** Shows what to do when there is no usable backend, with buttons that do it. */
export async function explainBackend(problem: string): Promise<void> {
  const choice = await vscode.window.showWarningMessage(
    problem,
    'Select Backend',
    'Sign In',
    'Open Settings',
  );
  if (choice === 'Select Backend') await vscode.commands.executeCommand('brightrun.selectBackend');
  else if (choice === 'Sign In') await vscode.commands.executeCommand('brightrun.signIn');
  else if (choice === 'Open Settings') {
    await vscode.commands.executeCommand(
      'workbench.action.openSettings',
      '@ext:brightrun.brightrun',
    );
  }
}

export async function showFailure(error: unknown): Promise<void> {
  const message = messageOf(error);
  if (error instanceof BrightRunError) {
    if (error.kind === 'not-configured' || error.kind === 'not-signed-in') {
      await explainBackend(message);
      return;
    }
    if (error.kind === 'unauthorized') {
      const choice = await vscode.window.showErrorMessage(message, 'Sign In', 'Select Backend');
      if (choice === 'Sign In') await vscode.commands.executeCommand('brightrun.signIn');
      else if (choice === 'Select Backend')
        await vscode.commands.executeCommand('brightrun.selectBackend');
      return;
    }
  }
  const choice = await vscode.window.showErrorMessage(message, 'Show Output');
  if (choice === 'Show Output') await vscode.commands.executeCommand('brightrun.showOutput');
}

/** The id carried by a command argument: a string, a tree node or an object with `id`. */
export function idFrom(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') return arg;
  if (typeof arg === 'object' && arg !== null) {
    const record = arg as { id?: unknown; value?: { id?: unknown } };
    if (typeof record.value?.id === 'string') return record.value.id;
    if (typeof record.id === 'string' && !record.id.includes(':')) return record.id;
  }
  return undefined;
}
