// The storage port's local adapter and the signed URL tokens, run under Deno with the
// functions' environment: files land under BRIGHTRUN_STORAGE_DIR, storage.objects rows follow
// them as Supabase's Storage server keeps them, bucket rules are enforced, and tokens name
// exactly one object. (The HTTP server that serves the signed URLs is the local gateway's.)
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { signHs256 } from '../../server/src/local/keys.ts';
import { startApiStack, type ApiStack, type TestUser } from './support/api-stack.ts';

describe('api function: local file store and signed URL tokens', function () {
  let stack: ApiStack;
  let user: TestUser;
  let objects: string;

  before(async function () {
    this.timeout(240_000);
    stack = await startApiStack();
    user = await stack.newUser();
    objects = stack.env.BRIGHTRUN_STORAGE_DIR;
    // A bucket with a 10-byte limit, to see the limit enforced without writing 500 MB.
    await stack.db.sql`
      insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
      values ('tiny', 'tiny', false, 10, array['text/plain'])`;
  });

  after(async function () {
    this.timeout(30_000);
    await stack?.stop();
  });

  it('write puts the bytes in <dir>/<bucket>/<path> and upserts the storage.objects row', async function () {
    const path = `${user.id}/d1/data.jsonl`;
    assert.deepEqual(
      stack.store({
        op: 'write',
        bucket: 'lora-datasets',
        path,
        text: '{"a":1}\n',
        contentType: 'application/jsonl',
      }),
      { ok: true },
    );
    assert.equal(
      readFileSync(join(objects, 'lora-datasets', user.id, 'd1', 'data.jsonl'), 'utf8'),
      '{"a":1}\n',
    );
    assert.deepEqual(
      readdirSync(join(objects, 'lora-datasets', user.id, 'd1')),
      ['data.jsonl'],
      'no temp files left',
    );
    const [row] = await stack.db.sql`
      select owner::text, metadata from storage.objects where bucket_id = 'lora-datasets' and name = ${path}`;
    assert.equal(row.owner, user.id);
    assert.equal((row.metadata as { size: number }).size, 8);
    assert.equal((row.metadata as { mimetype: string }).mimetype, 'application/jsonl');

    assert.deepEqual(stack.store({ op: 'stat', bucket: 'lora-datasets', path }), {
      stat: { size: 8, contentType: 'application/jsonl' },
    });
    assert.deepEqual(stack.store({ op: 'read', bucket: 'lora-datasets', path }), {
      text: '{"a":1}\n',
    });
    assert.deepEqual(stack.store({ op: 'read', bucket: 'lora-datasets', path, offset: 5 }), {
      text: '1}\n',
    });

    // Overwriting through the port replaces the bytes and the metadata.
    stack.store({
      op: 'write',
      bucket: 'lora-datasets',
      path,
      text: '{}\n',
      contentType: 'text/plain',
    });
    assert.deepEqual(stack.store({ op: 'stat', bucket: 'lora-datasets', path }), {
      stat: { size: 3, contentType: 'text/plain' },
    });

    assert.deepEqual(stack.store({ op: 'remove', bucket: 'lora-datasets', path }), { ok: true });
    assert.equal(existsSync(join(objects, 'lora-datasets', user.id, 'd1', 'data.jsonl')), false);
    const rows = await stack.db.sql`
      select 1 from storage.objects where bucket_id = 'lora-datasets' and name = ${path}`;
    assert.equal(rows.length, 0);
    assert.deepEqual(stack.store({ op: 'stat', bucket: 'lora-datasets', path }), { stat: null });
  });

  it('reading a missing object is a 404 StorageError', function () {
    const res = stack.store({ op: 'read', bucket: 'lora-datasets', path: `${user.id}/none.jsonl` });
    assert.equal(res.name, 'StorageError');
    assert.equal(res.status, 404);
  });

  it("enforces the bucket's size limit and MIME types, leaving nothing behind", async function () {
    const over = stack.store({
      op: 'write',
      bucket: 'tiny',
      path: 'a/big.txt',
      text: '01234567890',
      contentType: 'text/plain',
    });
    assert.equal(over.status, 413, JSON.stringify(over));
    const type = stack.store({
      op: 'write',
      bucket: 'tiny',
      path: 'a/x.bin',
      text: '1',
      contentType: 'image/png',
    });
    assert.equal(type.status, 415, JSON.stringify(type));
    const fits = stack.store({
      op: 'write',
      bucket: 'tiny',
      path: 'a/ok.txt',
      text: '0123456789',
      contentType: 'text/plain; charset=utf-8',
    });
    assert.deepEqual(fits, { ok: true });
    assert.deepEqual(readdirSync(join(objects, 'tiny', 'a')), ['ok.txt']);
    const rows = await stack.db.sql`select name from storage.objects where bucket_id = 'tiny'`;
    assert.deepEqual(
      rows.map((r) => r.name as string),
      ['a/ok.txt'],
    );
    const unknown = stack.store({
      op: 'write',
      bucket: 'no-such-bucket',
      path: 'a.txt',
      text: '1',
      contentType: 'text/plain',
    });
    assert.equal(unknown.status, 404);
  });

  it('refuses object paths that could leave the bucket folder', function () {
    for (const path of [
      '../escape.txt',
      'a/../../b.txt',
      '/etc/passwd',
      'a//b.txt',
      'a\\b.txt',
      'a/./b.txt',
      '',
    ]) {
      const res = stack.store({
        op: 'write',
        bucket: 'tiny',
        path,
        text: '1',
        contentType: 'text/plain',
      });
      assert.equal(res.name, 'ObjectPathError', `${JSON.stringify(path)}: ${JSON.stringify(res)}`);
    }
    assert.equal(existsSync(join(objects, 'escape.txt')), false);
  });

  describe('signed URL tokens', function () {
    let url: URL;

    before(async function () {
      const res = await stack.call<{
        data: { presigned_upload_url: string; dataset: { storage_path: string } };
      }>('POST', '/datasets', {
        token: user.token,
        body: { name: 'Tokens', file_name: 'my data.jsonl', file_size: 3, sha256: 'e'.repeat(64) },
      });
      url = new URL(res.body.data.presigned_upload_url);
    });

    it('percent-encode the path and verify for exactly that object', function () {
      assert.match(url.pathname, /\/my%20data\.jsonl$/);
      const ok = stack.store({ op: 'verify', url: url.href });
      assert.equal((ok.parsed as { path: string }).path.endsWith('/my data.jsonl'), true);
    });

    it('do not verify for another object, even in the same folder', function () {
      const other = new URL(url.href);
      other.pathname = other.pathname.replace('my%20data.jsonl', 'other.jsonl');
      const res = stack.store({ op: 'verify', url: other.href });
      assert.equal(res.reason, 'mismatch');
    });

    it('do not verify when tampered with, signed with another secret, or expired', function () {
      const token = url.searchParams.get('token')!;
      const [h, p] = token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      const tampered = new URL(url.href);
      tampered.searchParams.set(
        'token',
        `${h}.${Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 9999 })).toString('base64url')}.${token.split('.')[2]}`,
      );
      assert.equal(stack.store({ op: 'verify', url: tampered.href }).reason, 'invalid');

      const forged = new URL(url.href);
      forged.searchParams.set('token', signHs256(claims, `${stack.secret}-other`));
      assert.equal(stack.store({ op: 'verify', url: forged.href }).reason, 'invalid');

      const expired = new URL(url.href);
      const past = Math.floor(Date.now() / 1000) - 5;
      expired.searchParams.set(
        'token',
        signHs256({ ...claims, iat: past - 60, exp: past }, stack.secret),
      );
      assert.equal(stack.store({ op: 'verify', url: expired.href }).reason, 'expired');
    });
  });
});
