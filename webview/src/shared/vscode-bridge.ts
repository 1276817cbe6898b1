/**
 * The panel app's end of the message channel: typed posts to the host, incoming messages
 * validated before use (unknown or malformed ones are logged and dropped), and the state VS Code
 * keeps for the panel across reloads (handed to the host's serializer).
 */
import type { ValidationResult } from './validate.ts';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Bridge<ToHost, State> {
  post(message: ToHost): void;
  /** The saved state, unvalidated: each app checks it with its own validator. */
  readonly savedState: unknown;
  saveState(state: State): void;
}

export function connect<ToWebview extends { type: string }, ToHost, State>(
  incoming: { parse(raw: unknown): ValidationResult<ToWebview> },
  onMessage: (message: ToWebview) => void,
): Bridge<ToHost, State> {
  // acquireVsCodeApi may be called once per page.
  const api = acquireVsCodeApi();
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const parsed = incoming.parse(event.data);
    if (!parsed.ok) {
      console.warn(`BrightRun: dropped a message from the extension: ${parsed.error}`);
      return;
    }
    onMessage(parsed.value);
  });
  return {
    post: (message) => api.postMessage(message),
    savedState: api.getState(),
    saveState: (state) => api.setState(state),
  };
}
