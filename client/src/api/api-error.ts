import { VALIDATION_ERROR, type ValidationIssue } from '../../../common/api/types.ts';

/** What went wrong with an API call, in the terms a user acts on. */
export type ApiErrorKind =
  | 'not-configured'
  | 'not-signed-in'
  | 'unauthorized'
  | 'forbidden'
  | 'validation'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'server'
  | 'unreachable'
  | 'cancelled';

/** A failed API call (or one that could not be made), with a message that says what to do. */
export class BrightRunError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'BrightRunError';
  }
}

/** How to get a fresh token on the current backend, for 401 messages. */
export interface AuthHint {
  /** e.g. "Sign in again with BrightRun: Sign In." */
  reauthenticate: string;
  /** e.g. "Is the local stack running? Start it with npx brightrun local up." */
  unreachable: string;
}

export const DEFAULT_HINT: AuthHint = {
  reauthenticate: 'Sign in again with "BrightRun: Sign In".',
  unreachable: 'Check the backend with "BrightRun: Select Backend".',
};

/** Turns an HTTP error answer `{error, details}` into an actionable BrightRunError. */
export function errorFromResponse(
  route: string,
  status: number,
  body: unknown,
  hint: AuthHint = DEFAULT_HINT,
): BrightRunError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const serverMessage = typeof record.error === 'string' ? record.error : '';
  const details = record.details;
  if (status === 401) {
    return new BrightRunError(
      'unauthorized',
      `BrightRun rejected your session${serverMessage ? ` (${serverMessage})` : ''}. ${hint.reauthenticate}`,
      status,
      details,
    );
  }
  if (status === 403) {
    return new BrightRunError(
      'forbidden',
      `${serverMessage || 'Not allowed'}. This belongs to another account or needs other rights.`,
      status,
      details,
    );
  }
  if (status === 400) {
    const issues = validationIssues(details);
    // "Dataset not ready for training" arrives as a 400 on dataset_id: say what to wait for.
    if (NOT_READY.test(serverMessage) || issues.some((i) => NOT_READY.test(i.message))) {
      return new BrightRunError(
        'validation',
        conflictMessage(serverMessage || issues[0].message),
        status,
        details,
      );
    }
    const what = issues
      .map((i) => (i.field && i.message !== serverMessage ? `${i.field}: ${i.message}` : i.message))
      .join('; ');
    const prefix =
      serverMessage === VALIDATION_ERROR || !serverMessage ? 'Invalid input' : serverMessage;
    return new BrightRunError(
      'validation',
      issues.length > 0 && what !== serverMessage
        ? `${prefix}: ${what}. Change the value and try again.`
        : `${serverMessage || 'The request was not accepted'}.`,
      status,
      details,
    );
  }
  if (status === 404) {
    return new BrightRunError(
      'not-found',
      `${serverMessage || 'Not found'}. It may have been deleted: refresh the BrightRun views.`,
      status,
      details,
    );
  }
  if (status === 409) {
    return new BrightRunError('conflict', conflictMessage(serverMessage), status, details);
  }
  if (status === 413) {
    return new BrightRunError(
      'too-large',
      `${serverMessage || 'Too large'}. Datasets may be at most 500 MB: split the file and upload the parts.`,
      status,
      details,
    );
  }
  return new BrightRunError(
    'server',
    `The BrightRun service failed on ${route} (HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}). Try again in a moment; if it keeps failing, check the backend's logs.`,
    status,
    details,
  );
}

const NOT_READY = /not ready|training.?ready/i;

/** 409s say an object is in the wrong state; say what to wait for. */
function conflictMessage(serverMessage: string): string {
  const text = serverMessage || 'Not possible in the current state';
  if (NOT_READY.test(text) || /validat/i.test(text)) {
    return `${text}. Wait until the dataset's validation finishes, or fix its errors and upload it again.`;
  }
  if (/cancel|finished|completed|already/i.test(text)) {
    return `${text}. Refresh the Training Jobs view to see its current state.`;
  }
  return `${text}.`;
}

function validationIssues(details: unknown): ValidationIssue[] {
  if (!Array.isArray(details)) return [];
  return details.filter(
    (d): d is ValidationIssue =>
      typeof d === 'object' && d !== null && typeof (d as ValidationIssue).message === 'string',
  );
}

/** The message to show for any failure of a BrightRun action. */
export function messageOf(error: unknown): string {
  if (error instanceof BrightRunError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
