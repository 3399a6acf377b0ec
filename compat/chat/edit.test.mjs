// Editing (docs/protocol.md §8.7): <replace id last/> relayed to the peer or the group, and
// the stored text changed with REST PUT /chat/Message/{id} {message}.
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
  group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'Edits', occupants_ids: [bob.id, carol.id] }));
});

test('edit a 1-1 message: the peer gets (id, last, body, dialogId, userId, extension)', async () => {
  const id = a.chat.send(bob.id, { type: 'chat', body: 'tpyo', extension: { save_to_history: 1, dialog_id: privateDialog._id } });
  await b.events.wait('onMessageListener', (_, m) => m.id === id);
  a.chat.editMessage({ to: bob.id, dialogId: privateDialog._id, body: 'typo', originMessageId: id, last: true, extension: { edited: '1' } });
  const [orig, last, body, dialogId, userId, extension] = await b.events.wait('onMessageUpdateListener', (o) => o === id);
  assert.equal(orig, id);
  assert.equal(last, true);
  assert.equal(body, 'typo');
  assert.equal(dialogId, privateDialog._id);
  assert.equal(userId, alice.id);
  assert.equal(extension.edited, '1');
});

test('edit a group message: every occupant gets the edit', async () => {
  const id = a.chat.send(group._id, { type: 'groupchat', body: 'old', extension: { save_to_history: 1 } });
  await c.events.wait('onMessageListener', (_, m) => m.id === id);
  a.chat.editMessage({ to: group._id, dialogId: group._id, body: 'new', originMessageId: id, last: false });
  for (const x of [b, c]) {
    const [, last, body, dialogId, userId] = await x.events.wait('onMessageUpdateListener', (o) => o === id);
    assert.equal(last, false);
    assert.equal(body, 'new');
    assert.equal(dialogId, group._id);
    assert.equal(userId, alice.id);
  }
});

test('REST update of the stored text', async () => {
  const id = a.chat.send(group._id, { type: 'groupchat', body: 'before edit', extension: { save_to_history: 1 } });
  await b.events.wait('onMessageListener', (_, m) => m.id === id);
  await call('message.update text', a.chat.message.update(id, { chat_dialog_id: group._id, message: 'after edit' }));
  const res = await call('message.list', b.chat.message.list({ chat_dialog_id: group._id, mark_as_read: 0 }));
  assert.equal(res.items.find((m) => m._id === id)?.message, 'after edit');
});
