// Deleting (docs/protocol.md §8.8): <remove id/> relayed over XMPP, and REST
// DELETE /chat/Message/{ids} force=1, after which the server itself sends <remove/>.
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
  group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'Deletes', occupants_ids: [bob.id, carol.id] }));
});

test('delete a 1-1 message over XMPP: the peer gets (id, dialogId, userId)', async () => {
  const id = a.chat.send(bob.id, { type: 'chat', body: 'oops', extension: { save_to_history: 1, dialog_id: privateDialog._id } });
  await b.events.wait('onMessageListener', (_, m) => m.id === id);
  a.chat.deleteMessage({ to: bob.id, dialogId: privateDialog._id, messageId: id });
  const [mid, dialogId, userId] = await b.events.wait('onMessageDeleteListener', (m) => m === id);
  assert.equal(mid, id);
  assert.equal(dialogId, privateDialog._id);
  assert.equal(userId, alice.id);
});

test('delete a group message over XMPP: every occupant gets it', async () => {
  const id = a.chat.send(group._id, { type: 'groupchat', body: 'oops all', extension: { save_to_history: 1 } });
  await c.events.wait('onMessageListener', (_, m) => m.id === id);
  a.chat.deleteMessage({ to: group._id, dialogId: group._id, messageId: id });
  for (const x of [b, c]) {
    const [, dialogId, userId] = await x.events.wait('onMessageDeleteListener', (m) => m === id);
    assert.equal(dialogId, group._id);
    assert.equal(userId, alice.id);
  }
});

test('REST delete with force=1 removes it from history and notifies over XMPP', async () => {
  const id = a.chat.send(group._id, { type: 'groupchat', body: 'gone soon', extension: { save_to_history: 1 } });
  await b.events.wait('onMessageListener', (_, m) => m.id === id);
  await call('message.delete force', a.chat.message.delete(id, { force: 1 }));
  const [, dialogId] = await b.events.wait('onMessageDeleteListener', (m) => m === id);
  assert.equal(dialogId, group._id);
  const res = await call('message.list', c.chat.message.list({ chat_dialog_id: group._id, mark_as_read: 0 }));
  assert.ok(!res.items.some((m) => m._id === id), 'not in history any more');
});
