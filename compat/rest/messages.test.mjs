// Chat messages over REST (docs/protocol.md §4): create with custom parameters and
// attachments, list, update text and read state, unread counts, delete, system messages.
// (Messages sent over XMPP and read back from history are in chat/messages.test.mjs.)
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, login, nowSeconds, usersFor } from '../lib/harness.mjs';

const [alice, bob] = usersFor(import.meta.url);
const GROUP = 2;

let a; // alice's SDK
let b; // bob's SDK
let dialog; // a group of alice and bob

before(async () => {
  ({ cc: a } = await login(alice));
  ({ cc: b } = await login(bob));
  dialog = await call('dialog.create', a.chat.dialog.create({ type: GROUP, name: 'REST messages', occupants_ids: [bob.id] }));
});

async function history(cc, params = {}) {
  const res = await call('message.list', cc.chat.message.list({ chat_dialog_id: dialog._id, mark_as_read: 0, ...params }));
  assert.ok(Array.isArray(res.items), `list answers items[], got ${JSON.stringify(res)}`);
  return res.items;
}

test('list an empty history', async () => {
  const res = await call('message.list', a.chat.message.list({ chat_dialog_id: dialog._id, sort_desc: 'date_sent', limit: 50, skip: 0, mark_as_read: 0 }));
  assert.deepEqual(res.items, []);
  assert.equal(res.limit, 50);
  assert.equal(res.skip, 0);
});

test('create a message with a custom parameter and an attachment array', async () => {
  const before = nowSeconds();
  const m = await call('message.create', a.chat.message.create({
    chat_dialog_id: dialog._id, message: 'REST hello', country: 'NZ',
    attachments: [{ type: 'image', uid: 'abc123', id: '7' }],
  }));
  assert.match(m._id, /^[0-9a-f]{24}$/);
  assert.equal(m.chat_dialog_id, dialog._id);
  assert.equal(m.message, 'REST hello');
  assert.equal(m.sender_id, alice.id);
  assert.equal(m.country, 'NZ', 'custom parameters are flattened into the message');
  assert.ok(m.date_sent >= before - 1, `date_sent ${m.date_sent} in unix seconds`);
  assert.deepEqual(m.attachments.map((x) => x.uid), ['abc123']);
  const items = await history(b);
  const got = items.find((x) => x._id === m._id);
  assert.ok(got, 'bob reads it from history');
  assert.equal(got.country, 'NZ');
});

test('update a message text, mark read, unread counts', async () => {
  const m = await call('message.create', a.chat.message.create({ chat_dialog_id: dialog._id, message: 'typo' }));
  await call('message.update text', a.chat.message.update(m._id, { chat_dialog_id: dialog._id, message: 'fixed' }));
  const items = await history(b);
  assert.equal(items.find((x) => x._id === m._id)?.message, 'fixed');
  const unread = await call('message.unreadCount', b.chat.message.unreadCount({ chat_dialog_ids: [dialog._id] }));
  assert.ok(unread[dialog._id] >= 1, `unread ${JSON.stringify(unread)}`);
  assert.ok(unread.total >= unread[dialog._id]);
  await call('message.update read', b.chat.message.update(m._id, { chat_dialog_id: dialog._id, read: 1 }));
  const read = await history(a);
  assert.ok(read.find((x) => x._id === m._id).read_ids.map(Number).includes(bob.id), 'bob in read_ids');
  await call('message.update read all', b.chat.message.update('', { chat_dialog_id: dialog._id, read: 1 }));
  const after = await call('message.unreadCount again', b.chat.message.unreadCount({ chat_dialog_ids: [dialog._id] }));
  assert.equal(after[dialog._id], 0);
});

test('delete messages for everybody (force=1 in a form body)', async () => {
  const m1 = await call('message.create 1', a.chat.message.create({ chat_dialog_id: dialog._id, message: 'bye 1' }));
  const m2 = await call('message.create 2', a.chat.message.create({ chat_dialog_id: dialog._id, message: 'bye 2' }));
  await call('message.delete', a.chat.message.delete([m1._id, m2._id], { force: 1 }));
  const ids = (await history(b)).map((x) => x._id);
  assert.ok(!ids.includes(m1._id) && !ids.includes(m2._id), `deleted ids still listed: ${ids}`);
});

test('REST system message', async () => {
  const res = await call('message.createSystem', a.chat.message.createSystem({ recipientId: bob.id, kind: 'ping' }));
  assert.match(res.messageId, /^[0-9a-f]{24}$/);
  assert.equal(Number(res.recipientId), bob.id);
  assert.equal(res.extensionParams?.kind, 'ping');
});
