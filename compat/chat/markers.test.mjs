// Delivered and read markers (docs/protocol.md §8.5): JS 6 auto-sends <received/> for every
// incoming message with a dialog id; <displayed/> on sendReadStatus. Both go user to
// user as type="chat", also for group messages.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, usersFor } from '../lib/harness.mjs';
import { connectUser } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);

let a; let b; let c;
let privateDialog;
let group;

before(async () => {
  [a, b, c] = await Promise.all([connectUser(alice), connectUser(bob), connectUser(carol)]);
  privateDialog = await call('dialog.create private', a.chat.dialog.create({ type: 3, occupants_ids: [bob.id] }));
  group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'Markers', occupants_ids: [bob.id, carol.id] }));
});

test('the receiver\'s SDK acknowledges a 1-1 message: delivered event at the sender', async () => {
  const id = a.chat.send(bob.id, { type: 'chat', body: 'ack me', extension: { save_to_history: 1, dialog_id: privateDialog._id } });
  const [mid, dialogId, userId] = await a.events.wait('onDeliveredStatusListener', (m) => m === id);
  assert.equal(mid, id);
  assert.equal(dialogId, privateDialog._id);
  assert.equal(userId, bob.id);
});

test('sendReadStatus raises the read event at the sender', async () => {
  const id = a.chat.send(bob.id, { type: 'chat', body: 'read me', extension: { save_to_history: 1, dialog_id: privateDialog._id } });
  await b.events.wait('onMessageListener', (_, m) => m.id === id);
  b.chat.sendReadStatus({ messageId: id, userId: alice.id, dialogId: privateDialog._id });
  const [mid, dialogId, userId] = await a.events.wait('onReadStatusListener', (m) => m === id);
  assert.equal(mid, id);
  assert.equal(dialogId, privateDialog._id);
  assert.equal(userId, bob.id);
});

test('group messages are acknowledged user to user by every receiver', async () => {
  const id = a.chat.send(group._id, { type: 'groupchat', body: 'group ack', extension: { save_to_history: 1 } });
  const acks = await Promise.all([bob, carol].map((u) => a.events.wait('onDeliveredStatusListener', (m, _d, from) => m === id && from === u.id)));
  for (const [, dialogId] of acks) assert.equal(dialogId, group._id);
});

test('an XMPP read marker updates read_ids in history', async () => {
  const id = a.chat.send(bob.id, { type: 'chat', body: 'read via xmpp', extension: { save_to_history: 1, dialog_id: privateDialog._id } });
  await b.events.wait('onMessageListener', (_, m) => m.id === id);
  b.chat.sendReadStatus({ messageId: id, userId: alice.id, dialogId: privateDialog._id });
  await a.events.wait('onReadStatusListener', (m) => m === id);
  const res = await call('message.list', a.chat.message.list({ chat_dialog_id: privateDialog._id, _id: id, mark_as_read: 0 }));
  assert.ok(res.items[0].read_ids.map(Number).includes(bob.id), `read_ids ${res.items[0].read_ids}`);
});
