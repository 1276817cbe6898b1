// Reads `.brightrun/local.json`, which `brightrun local up` writes for the local stack. Only the
// fields the extension needs are kept: the file also holds the service role key, which must
// never reach the client (style.md), so it is not even copied into memory here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCAL_CONFIG_RELATIVE_PATH = join('.brightrun', 'local.json');

export interface LocalStack {
  /** The file it came from. */
  file: string;
  url: string;
  apiUrl: string;
  userToken: string;
  userId: string;
  userEmail: string;
  pid: number | undefined;
}

/**
 * The candidate files, in order: the configured folder (holding `local.json` itself or
 * `.brightrun/local.json`), then each workspace folder's `.brightrun/local.json`.
 */
export function localConfigCandidates(
  configuredFolder: string,
  workspaceFolders: string[],
): string[] {
  const candidates: string[] = [];
  if (configuredFolder.trim() !== '') {
    candidates.push(
      join(configuredFolder, 'local.json'),
      join(configuredFolder, LOCAL_CONFIG_RELATIVE_PATH),
    );
  }
  for (const folder of workspaceFolders) candidates.push(join(folder, LOCAL_CONFIG_RELATIVE_PATH));
  return candidates;
}

export function findLocalConfig(candidates: string[]): string | undefined {
  return candidates.find((file) => existsSync(file));
}

/** Parses the file; throws an Error that says what is wrong and how to fix it. */
export function readLocalStack(file: string): LocalStack {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `${file} is not readable JSON (${error instanceof Error ? error.message : String(error)}). Restart the local stack with "npx brightrun local up".`,
    );
  }
  const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const text = (key: string): string => {
    const value = record[key];
    if (typeof value !== 'string' || value === '') {
      throw new Error(
        `${file} has no "${key}". Restart the local stack with "npx brightrun local up".`,
      );
    }
    return value;
  };
  const url = text('url').replace(/\/+$/, '');
  return {
    file,
    url,
    apiUrl: (typeof record.apiUrl === 'string' && record.apiUrl !== ''
      ? record.apiUrl
      : `${url}/functions/v1/api`
    ).replace(/\/+$/, ''),
    userToken: text('userToken'),
    userId: typeof record.userId === 'string' ? record.userId : '',
    userEmail: typeof record.userEmail === 'string' ? record.userEmail : '',
    pid: typeof record.pid === 'number' ? record.pid : undefined,
  };
}

/** Whether the stack's process is still alive (true when it cannot be told). */
export function localStackAlive(stack: LocalStack): boolean {
  if (stack.pid === undefined) return true;
  try {
    process.kill(stack.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
