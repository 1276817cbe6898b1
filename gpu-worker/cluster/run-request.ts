import type { RunRequest, TrainerDebugHooks } from '../../common/gpu-cluster/contract.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DEBUG_KEYS: readonly (keyof TrainerDebugHooks)[] = [
  'inject_nan_at_step',
  'stall_after_step',
  'step_delay_ms',
  'oom_at_step',
  'exit_at_step',
];

/**
 * Checks a `POST /run` body. Only the envelope is checked here: the trainer checks the
 * hyperparameters itself and fails the job with a message naming the field, so the two
 * checks cannot disagree.
 */
export function parseRunRequest(body: unknown): Parsed<RunRequest> {
  if (!isObject(body) || !isObject(body.input)) {
    return { ok: false, message: 'The body must be {"input": {...}}' };
  }
  const input = body.input;
  if (typeof input.job_id !== 'string' || input.job_id.trim() === '') {
    return { ok: false, message: 'input.job_id must be a non-empty string' };
  }
  if (typeof input.dataset_url !== 'string' || !/^(https?|file):\/\//.test(input.dataset_url)) {
    return { ok: false, message: 'input.dataset_url must be an http(s):// or file:// URL' };
  }
  if (!isObject(input.hyperparameters)) {
    return { ok: false, message: 'input.hyperparameters must be an object' };
  }
  const gpu = input.gpu_config;
  if (gpu !== undefined && !isObject(gpu)) {
    return { ok: false, message: 'input.gpu_config must be an object {type, count}' };
  }
  const debug = input.debug;
  if (debug !== undefined) {
    if (!isObject(debug)) return { ok: false, message: 'input.debug must be an object' };
    for (const [key, value] of Object.entries(debug)) {
      if (!(DEBUG_KEYS as readonly string[]).includes(key)) {
        return { ok: false, message: `input.debug.${key} is not a known hook` };
      }
      if (!Number.isInteger(value) || (value as number) < 0) {
        return { ok: false, message: `input.debug.${key} must be a non-negative integer` };
      }
    }
  }
  const policy = body.policy;
  if (policy !== undefined) {
    const timeout = isObject(policy) ? policy.executionTimeout : null;
    if (timeout !== undefined && !(Number.isInteger(timeout) && (timeout as number) > 0)) {
      return { ok: false, message: 'policy.executionTimeout must be a positive integer (ms)' };
    }
  }
  return { ok: true, value: body as unknown as RunRequest };
}
