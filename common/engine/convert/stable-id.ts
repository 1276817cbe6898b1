/**
 * Deterministic ids for converted lines. Converting the same file twice must give the same
 * ids, across versions of this code, so the hash here is frozen: FNV-1a over UTF-16 code
 * units. Do not swap it for a faster fingerprint; that would rename every converted pair.
 */

/** FNV-1a, 32 bits, over the UTF-16 code units of `text`, starting from `basis`. */
function fnv1a(text: string, basis: number): number {
  let hash = basis;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/** Eight hex digits of a hash of `text`: the tail of a pair id. */
export function shortHash(text: string): string {
  return hex8(fnv1a(text, 0x811c9dc5));
}

/**
 * A UUID-shaped id (version 4 and variant bits set) derived from `text`, for a conversation
 * that has no id of its own. 128 bits from four FNV chains with different starting points.
 */
export function uuidFromText(text: string): string {
  const h = [0x811c9dc5, 0x050c5d1f, 0x6a09e667, 0x3c6ef372].map((basis) =>
    hex8(fnv1a(text, basis)),
  );
  const all = h.join('');
  const variant = ((parseInt(all[16], 16) & 0x3) | 0x8).toString(16);
  return `${all.slice(0, 8)}-${all.slice(8, 12)}-4${all.slice(13, 16)}-${variant}${all.slice(17, 20)}-${all.slice(20, 32)}`;
}

/** `<conversation>_turn<N>_<8 hex>`, the conventional v4 pair id. */
export function pairId(conversationId: string, turnNumber: number, content: string): string {
  return `${conversationId}_turn${turnNumber}_${shortHash(`${conversationId}\u0000${turnNumber}\u0000${content}`)}`;
}
