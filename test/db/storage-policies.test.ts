// Storage policies: a user works only under the top-level folder named by their id. The Storage
// API runs these same statements as the caller's role, so RLS on storage.objects is the guard.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { asAnon, asServiceRole, asUser, createUser } from '../support/postgres/index.ts';
import { rejects } from './helpers.ts';
import { db } from './root-hooks.ts';

const DATASETS = 'lora-datasets';
const MODELS = 'lora-models';

describe('storage policies', () => {
  let alice: string;
  let bob: string;
  const path = (user: string, file: string) => `${user}/${randomUUID()}/${file}`;
  let aliceData: string;
  let bobData: string;
  let aliceModel: string;
  let bobModel: string;

  async function putAsService(bucket: string, name: string): Promise<void> {
    await asServiceRole(
      db().sql,
      (tx) => tx`insert into storage.objects (bucket_id, name, metadata)
                 values (${bucket}, ${name}, '{"size": 10}'::jsonb)`,
    );
  }

  async function exists(bucket: string, name: string): Promise<boolean> {
    const rows = await db().sql`
      select 1 from storage.objects where bucket_id = ${bucket} and name = ${name}`;
    return rows.length === 1;
  }

  async function metadataOf(name: string): Promise<unknown> {
    const [row] = await db().sql`select metadata from storage.objects where name = ${name}`;
    return row?.metadata;
  }

  before(async () => {
    alice = await createUser(db().sql);
    bob = await createUser(db().sql);
    aliceData = path(alice, 'a.jsonl');
    bobData = path(bob, 'b.jsonl');
    aliceModel = path(alice, 'adapter_model.safetensors');
    bobModel = path(bob, 'adapter_model.safetensors');
    for (const [bucket, name] of [
      [DATASETS, aliceData],
      [DATASETS, bobData],
      [MODELS, aliceModel],
      [MODELS, bobModel],
    ]) {
      await putAsService(bucket, name);
    }
  });

  describe("another user's objects", () => {
    it('cannot be listed', async () => {
      const names = await asUser(
        db().sql,
        alice,
        (tx) => tx`select name from storage.objects order by name`,
      );
      const listed = names.map((r) => r.name as string);
      assert.deepEqual(listed.sort(), [aliceData, aliceModel].sort());
    });

    it('cannot be read by name, in either bucket', async () => {
      for (const [bucket, name] of [
        [DATASETS, bobData],
        [MODELS, bobModel],
      ]) {
        const rows = await asUser(
          db().sql,
          alice,
          (tx) => tx`select * from storage.objects where bucket_id = ${bucket} and name = ${name}`,
        );
        assert.equal(rows.length, 0);
      }
    });

    it("cannot be written into the other user's folder", async () => {
      await rejects(
        asUser(
          db().sql,
          alice,
          (tx) => tx`insert into storage.objects (bucket_id, name)
                     values (${DATASETS}, ${path(bob, 'evil.jsonl')})`,
        ),
        { code: '42501', message: /row-level security/ },
      );
    });

    it('cannot be overwritten, by update or by upsert', async () => {
      const updated = await asUser(
        db().sql,
        alice,
        (tx) => tx`update storage.objects set metadata = '{"size": 1}'::jsonb
                   where bucket_id = ${DATASETS} and name = ${bobData}`,
      );
      assert.equal(updated.count, 0);
      await rejects(
        asUser(
          db().sql,
          alice,
          (tx) => tx`insert into storage.objects (bucket_id, name, metadata)
                     values (${DATASETS}, ${bobData}, '{"size": 1}'::jsonb)
                     on conflict (bucket_id, name) do update set metadata = excluded.metadata`,
        ),
        { code: '42501' },
      );
      assert.deepEqual(await metadataOf(bobData), { size: 10 });
    });

    it('cannot be deleted', async () => {
      for (const [bucket, name] of [
        [DATASETS, bobData],
        [MODELS, bobModel],
      ]) {
        const deleted = await asUser(
          db().sql,
          alice,
          (tx) => tx`delete from storage.objects where bucket_id = ${bucket} and name = ${name}`,
        );
        assert.equal(deleted.count, 0);
        assert.ok(await exists(bucket, name));
      }
    });

    it("cannot be reached by moving one's own object into their folder", async () => {
      await rejects(
        asUser(
          db().sql,
          alice,
          (tx) => tx`update storage.objects set name = ${path(bob, 'moved.jsonl')}
                     where bucket_id = ${DATASETS} and name = ${aliceData}`,
        ),
        { code: '42501' },
      );
    });
  });

  describe("one's own objects", () => {
    it('can be listed, read, uploaded, overwritten and deleted in lora-datasets', async () => {
      const fresh = path(alice, 'fresh.jsonl');
      await asUser(db().sql, alice, async (tx) => {
        await tx`insert into storage.objects (bucket_id, name, metadata)
                 values (${DATASETS}, ${fresh}, '{"size": 1}'::jsonb)`;
        const read = await tx`select name from storage.objects where name = ${fresh}`;
        assert.equal(read.length, 1);
        const upsert = await tx`
          insert into storage.objects (bucket_id, name, metadata)
          values (${DATASETS}, ${fresh}, '{"size": 2}'::jsonb)
          on conflict (bucket_id, name) do update set metadata = excluded.metadata`;
        assert.equal(upsert.count, 1);
      });
      assert.deepEqual(await metadataOf(fresh), { size: 2 });
      const deleted = await asUser(
        db().sql,
        alice,
        (tx) => tx`delete from storage.objects where bucket_id = ${DATASETS} and name = ${fresh}`,
      );
      assert.equal(deleted.count, 1);
    });

    it('can be read and deleted in lora-models, but only the service role writes there', async () => {
      const rows = await asUser(
        db().sql,
        alice,
        (tx) => tx`select name from storage.objects where bucket_id = ${MODELS}`,
      );
      assert.deepEqual(
        rows.map((r) => r.name as string),
        [aliceModel],
      );
      await rejects(
        asUser(
          db().sql,
          alice,
          (tx) => tx`insert into storage.objects (bucket_id, name)
                     values (${MODELS}, ${path(alice, 'adapter_config.json')})`,
        ),
        { code: '42501' },
      );
      const overwritten = await asUser(
        db().sql,
        alice,
        (tx) => tx`update storage.objects set metadata = '{}'::jsonb where name = ${aliceModel}`,
      );
      assert.equal(overwritten.count, 0);
      const deleted = await asUser(
        db().sql,
        alice,
        (tx) =>
          tx`delete from storage.objects where bucket_id = ${MODELS} and name = ${aliceModel}`,
      );
      assert.equal(deleted.count, 1);
    });

    it('must live under the user folder, not at the bucket root or in another bucket', async () => {
      await rejects(
        asUser(
          db().sql,
          alice,
          (tx) =>
            tx`insert into storage.objects (bucket_id, name) values (${DATASETS}, 'root.jsonl')`,
        ),
        { code: '42501' },
      );
      await asServiceRole(
        db().sql,
        (tx) => tx`insert into storage.buckets (id, name) values ('other-bucket', 'other-bucket')
                   on conflict do nothing`,
      );
      await rejects(
        asUser(
          db().sql,
          alice,
          (tx) => tx`insert into storage.objects (bucket_id, name)
                     values ('other-bucket', ${path(alice, 'x.jsonl')})`,
        ),
        { code: '42501' },
      );
    });
  });

  it('gives anon nothing: no listing, no upload', async () => {
    const rows = await asAnon(db().sql, (tx) => tx`select name from storage.objects`);
    assert.equal(rows.length, 0);
    await rejects(
      asAnon(
        db().sql,
        (tx) => tx`insert into storage.objects (bucket_id, name)
                   values (${DATASETS}, ${path(alice, 'anon.jsonl')})`,
      ),
      { code: '42501' },
    );
  });
});
