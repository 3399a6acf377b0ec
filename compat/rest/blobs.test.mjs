// Storage (docs/protocol.md §7): createAndUpload (create → multipart upload to the URL in
// blob_object_access.params → complete), then download through the private URL.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, login, usersFor } from '../lib/harness.mjs';

const [alice, bob] = usersFor(import.meta.url);
let a; // alice's SDK
let b; // bob's SDK

before(async () => {
  ({ cc: a } = await login(alice));
  ({ cc: b } = await login(bob));
});

async function download(url) {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

test('createAndUpload a private file, then download it by private URL', async () => {
  const content = Buffer.from('hello from the JS SDK compat suite\n');
  const blob = await call('storage.createAndUpload', a.storage.createAndUpload({
    name: 'hello.txt', file: content, type: 'text/plain', size: content.length, public: false,
  }));
  assert.ok(blob.id, 'blob id');
  assert.match(blob.uid, /^[0-9a-f-]{16,}$/i, `uid ${blob.uid}`);
  assert.equal(blob.name, 'hello.txt');
  assert.equal(blob.size, content.length);

  const info = await call('storage.getInfo', a.storage.getInfo(blob.id));
  assert.equal(info.blob.uid, blob.uid);
  assert.equal(info.blob.content_type, 'text/plain');

  const got = await download(a.storage.privateUrl(blob.uid));
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, content);

  const before = await download(b.storage.privateUrl(blob.uid));
  assert.equal(before.status, 404, 'another user may not read a private file that was not shared with them');
  await call('message.create', a.chat.message.create({
    recipient_id: bob.id, message: 'the file', attachments: [{ type: 'file', uid: blob.uid, id: String(blob.id) }],
  }));
  const other = await download(b.storage.privateUrl(blob.uid));
  assert.equal(other.status, 200, 'the recipient of a message carrying the file downloads it');
  assert.deepEqual(other.body, content);

  const anonymous = await download(a.storage.publicUrl(blob.uid));
  assert.notEqual(anonymous.status, 200, 'a private blob needs a token');
});

test('createAndUpload a public file (the SDK default), download without a token', async () => {
  const content = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
  const blob = await call('storage.createAndUpload', a.storage.createAndUpload({ name: 'x.png', file: content, type: 'image/png', size: content.length }));
  const got = await download(a.storage.publicUrl(blob.uid));
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, content);
  await call('storage.delete', a.storage.delete(blob.id));
  const gone = await download(a.storage.privateUrl(blob.uid));
  assert.equal(gone.status, 404);
});
