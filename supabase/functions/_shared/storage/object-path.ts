// Bucket and object names the storage adapters accept. A local file store maps names to files,
// so anything that could leave the bucket's folder (`..`, absolute paths, backslashes, control
// characters, empty segments) is refused before it reaches the file system.

export class ObjectPathError extends Error {
  override name = 'ObjectPathError';
}

const BUCKET = /^[a-z0-9][a-z0-9._-]{1,62}$/;

export function checkObjectPath(bucket: string, path: string): void {
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new ObjectPathError(`Invalid bucket name "${bucket}"`);
  }
  if (path === '' || path.length > 1024) {
    throw new ObjectPathError('Object path must be 1..1024 characters');
  }
  // deno-lint-ignore no-control-regex
  if (/[\\\x00-\x1f\x7f]/.test(path)) {
    throw new ObjectPathError('Object path contains a backslash or a control character');
  }
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new ObjectPathError(`Invalid object path "${path}"`);
    }
  }
}
