/**
 * Failures the CLI reports as exit code 2 with a one-line message and no stack trace: the user
 * typed something we cannot run (usage), or a file could not be read or written (I/O).
 */
export class UsageError extends Error {
  /** The command whose `--help` the message points to; undefined for the top level. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

export class FileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileError';
  }
}

/** Turns a Node file-system error into a sentence that says what to do. */
export function describeFileError(path: string, err: unknown, action = 'read'): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `cannot ${action} "${path}": no such file (check the path)`;
    case 'EISDIR':
      return `cannot ${action} "${path}": it is a directory (pass a .jsonl file)`;
    case 'EACCES':
    case 'EPERM':
      return `cannot ${action} "${path}": permission denied (check the file's permissions)`;
    case 'ENOTDIR':
      return `cannot ${action} "${path}": a parent of this path is not a directory`;
    case 'ENOSPC':
      return `cannot ${action} "${path}": the disk is full`;
    case 'EMFILE':
    case 'ENFILE':
      return `cannot ${action} "${path}": too many open files`;
    default: {
      const detail = err instanceof Error ? err.message : String(err);
      return `cannot ${action} "${path}": ${detail}`;
    }
  }
}
