// Chat messages over XMPP (docs/protocol.md §8.4, §9): 1-1 and group sends with
// save_to_history and an extension, what the receiver's SDK parses, history over REST,
// unread counts, and REST create with send_to_chat.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nowSeconds, usersFor } from '../lib/harness.mjs';
import { connectUser, settle } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);
const GROUP = 2;
const PRIVATE = 3;

let a; let b; let c; // connected clients
let privateDialog;
let group;

before(async () => {
  [a, b, c] = await Promise.all([connectUser(alice), connectUser(bob), connectUser(carol)]);
  privateDialog = await call('dialog.create private', a.chat.dialog.create({ type: PRIVATE, occupants_ids: [bob.id] }));
  group = await call('dialog.create group', a.chat.dialog.create({ type: GROUP, name: 'XMPP group', occupants_ids: [bob.id, carol.id] }));
});

async function history(client, dialogId) {
  const res = await call('message.list', client.chat.message.list({ chat_dialog_id: dialogId, sort_desc: 'date_sent', limit: 100, mark_as_read: 0 }));
  return res.items;
}

test('1-1 message with save_to_history and a nested extension', async () => {
  const before = nowSeconds();
  const id = a.chat.send(bob.id, {
    type: 'chat', body: 'hello <b> & "you"',
    extension: { save_to_history: 1, dialog_id: privateDialog._id, color: 'blue', nested: { a: '1', b: { c: 'x' } } },
  });
  assert.match(id, /^[0-9a-f]{24}$/, 'the SDK generates an ObjectId');
  const [from, msg] = await b.events.wait('onMessageListener', (_, m) => m.id === id);
  assert.equal(from, alice.id);
  assert.equal(msg.type, 'chat');
  assert.equal(msg.body, 'hello <b> & "you"');
  assert.equal(msg.dialog_id, privateDialog._id);
  assert.equal(msg.recipient_id, bob.id);
  assert.equal(msg.is_forwarded, false);
  assert.equal(msg.extension.color, 'blue');
  assert.deepEqual(msg.extension.nested, { a: '1', b: { c: 'x' } });
  assert.equal(msg.extension.save_to_history, '1');
  assert.ok(Number(msg.extension.date_sent) >= before - 1, `server adds date_sent in seconds, got ${msg.extension.date_sent}`);

  const stored = (await history(b, privateDialog._id)).find((m) => m._id === id);
  assert.ok(stored, 'saved to history under the stanza id');
  assert.equal(stored.message, 'hello <b> & "you"');
  assert.equal(stored.sender_id, alice.id);
  assert.equal(stored.recipient_id, bob.id);
  assert.equal(stored.color, 'blue', 'custom extension keys are flattened into the stored message');
  assert.equal(stored.date_sent, Number(msg.extension.date_sent));
});

test('1-1 message without dialog_id: the server finds the private dialog and adds it', async () => {
  const id = a.chat.send(bob.id, { type: 'chat', body: 'no dialog id', extension: { save_to_history: 1 } });
  const [, msg] = await b.events.wait('onMessageListener', (_, m) => m.id === id);
  assert.equal(msg.dialog_id, privateDialog._id);
});

test('a message without save_to_history is delivered but not stored', async () => {
  const id = a.chat.send(bob.id, { type: 'chat', body: 'ephemeral', extension: { dialog_id: privateDialog._id } });
  await b.events.wait('onMessageListener', (_, m) => m.id === id);
  assert.ok(!(await history(a, privateDialog._id)).some((m) => m._id === id), 'not in history');
});

test('attachments travel as <attachment/> attributes (size becomes a number)', async () => {
  const att = { type: 'image', uid: '9ad79a1b2c3d', id: '3004', name: 'cat.jpg', size: 7, 'content-type': 'image/jpeg' };
  const id = a.chat.send(bob.id, { type: 'chat', body: '', extension: { save_to_history: 1, dialog_id: privateDialog._id, attachments: [att] } });
  const [, msg] = await b.events.wait('onMessageListener', (_, m) => m.id === id);
  assert.deepEqual(msg.extension.attachments, [att]);
  const stored = (await history(b, privateDialog._id)).find((m) => m._id === id);
  assert.ok(stored, 'an attachment-only message is stored');
  assert.equal(stored.attachments[0].uid, att.uid);
  assert.equal(stored.attachments[0].type, 'image');
});

test('group message reaches every occupant from {room}/{sender}, and is stored', async () => {
  const id = a.chat.send(group._id, { type: 'groupchat', body: 'hi all', extension: { save_to_history: 1, topic: 'x' } });
  const [[bFrom, bMsg], [cFrom, cMsg]] = await Promise.all([
    b.events.wait('onMessageListener', (_, m) => m.id === id),
    c.events.wait('onMessageListener', (_, m) => m.id === id),
  ]);
  for (const [from, msg] of [[bFrom, bMsg], [cFrom, cMsg]]) {
    assert.equal(from, alice.id);
    assert.equal(msg.type, 'groupchat');
    assert.equal(msg.dialog_id, group._id);
    assert.equal(msg.body, 'hi all');
    assert.equal(msg.extension.topic, 'x');
  }
  const stored = (await history(c, group._id)).find((m) => m._id === id);
  assert.ok(stored, 'stored');
  assert.equal(stored.recipient_id ?? 0, 0, 'group messages have no recipient');
  assert.equal(stored.topic, 'x');
});

test('a stored message updates the dialog and the unread count; reading resets it', async () => {
  const id = a.chat.send(group._id, { type: 'groupchat', body: 'count me', extension: { save_to_history: 1 } });
  await c.events.wait('onMessageListener', (_, m) => m.id === id);
  const listed = await call('dialog.list as carol', c.chat.dialog.list({ _id: group._id }));
  const d = listed.items[0];
  assert.equal(d.last_message, 'count me');
  assert.equal(d.last_message_id, id);
  assert.equal(d.last_message_user_id, alice.id);
  assert.ok(d.unread_messages_count >= 1, `unread ${d.unread_messages_count}`);
  await call('message.update read all', c.chat.message.update('', { chat_dialog_id: group._id, read: 1 }));
  const after = await call('dialog.list after read', c.chat.dialog.list({ _id: group._id }));
  assert.equal(after.items[0].unread_messages_count, 0);
});

test('unread count endpoint', async () => {
  const id = a.chat.send(group._id, { type: 'groupchat', body: 'unread?', extension: { save_to_history: 1 } });
  await b.events.wait('onMessageListener', (_, m) => m.id === id);
  const res = await call('message.unreadCount', b.chat.message.unreadCount({ chat_dialog_ids: [group._id, privateDialog._id] }));
  assert.ok(res[group._id] >= 1, JSON.stringify(res));
  assert.ok(res.total >= res[group._id]);
});

test('history is paged by date_sent and reading with mark_as_read=0 keeps unread', async () => {
  const since = nowSeconds() - 1;
  const ids = [];
  for (const text of ['p1', 'p2', 'p3']) {
    ids.push(a.chat.send(group._id, { type: 'groupchat', body: text, extension: { save_to_history: 1 } }));
  }
  await Promise.all(ids.map((id) => b.events.wait('onMessageListener', (_, m) => m.id === id)));
  const page = await call('message.list limit 2', b.chat.message.list({ chat_dialog_id: group._id, sort_desc: 'date_sent', limit: 2, mark_as_read: 0 }));
  assert.equal(page.items.length, 2);
  assert.ok(page.items[0].date_sent >= page.items[1].date_sent, 'descending by date_sent');
  const asc = await call('message.list date_sent[gte]', b.chat.message.list({ chat_dialog_id: group._id, date_sent: { gte: since }, mark_as_read: 0 }));
  assert.ok(ids.every((id) => asc.items.some((m) => m._id === id)), 'date_sent[gte] includes all three');
  const d = await call('dialog.list', b.chat.dialog.list({ _id: group._id }));
  assert.ok(d.items[0].unread_messages_count >= 3, `mark_as_read=0 keeps unread (${d.items[0].unread_messages_count})`);
});

test('REST create with send_to_chat=1 is delivered over XMPP', async () => {
  const m = await call('message.create send_to_chat', a.chat.message.create({ chat_dialog_id: group._id, message: 'via REST', send_to_chat: 1 }));
  const [from, msg] = await b.events.wait('onMessageListener', (_, x) => x.id === m._id);
  assert.equal(from, alice.id);
  assert.equal(msg.body, 'via REST');
  assert.equal(msg.dialog_id, group._id);
});

test('a user sees their own 1-1 message on another resource as a carbon', async () => {
  const a2 = await connectUser(alice);
  await settle(a2); // the SDK enables carbons after 'online'; wait for the server to have it
  const id = a.chat.send(bob.id, { type: 'chat', body: 'carbon copy', extension: { dialog_id: privateDialog._id } });
  const [, msg] = await a2.events.wait('onMessageListener', (_, m) => m.id === id);
  assert.equal(msg.is_forwarded, true);
  assert.equal(msg.body, 'carbon copy');
  await settle(a);
  await a2.close();
});
