/** A storage failure with the HTTP status a server should answer with (404 missing, 409 exists,
 * 413 over the bucket's size limit, 415 a type the bucket refuses, 502 the backend failed). */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
