import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when `header` is `Bearer <apiKey>`. Both sides are hashed first so the comparison takes
 * the same time whatever the lengths, and a wrong key leaks nothing about the right one.
 */
export function isAuthorized(header: string | undefined, apiKey: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const given = createHash('sha256')
    .update(match?.[1].trim() ?? '')
    .digest();
  const expected = createHash('sha256').update(apiKey).digest();
  return timingSafeEqual(given, expected) && match !== null;
}
