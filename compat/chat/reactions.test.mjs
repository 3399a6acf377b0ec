// Reactions (docs/protocol.md §5): REST PUT/GET /chat/Message/{id}/reactions, the
// <reactions/> XMPP event the server sends to the participants, and reactions in history.
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
  group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'Reactions', occupants_ids: [bob.id, carol.id] }));
});

async function sent(from, to, dialogId, receiver) {
  const isGroup = to === dialogId;
  const id = from.chat.send(to, { type: isGroup ? 'groupchat' : 'chat', body: 'react to me', extension: { save_to_history: 1, dialog_id: dialogId } });
  await receiver.events.wait('onMessageListener', (_, m) => m.id === id);
  return id;
}

test('add a reaction in a private dialog: the peer gets the event, list shows it', async () => {
  const id = await sent(a, bob.id, privateDialog._id, b);
  await call('message.addReaction', b.chat.message.addReaction(id, '👍'));
  const [mid, userId, dialogId, add, remove] = await a.events.wait('onMessageReactionsListener', (m) => m === id);
  assert.deepEqual([mid, userId, dialogId, add, remove], [id, bob.id, privateDialog._id, '👍', undefined]);
  const list = await call('message.listReactions', a.chat.message.listReactions(id));
  assert.deepEqual(list, { '👍': [bob.id] });
  const res = await call('message.list', b.chat.message.list({ chat_dialog_id: privateDialog._id, mark_as_read: 0 }));
  assert.deepEqual(res.items.find((m) => m._id === id).reactions, { own: ['👍'], total: { '👍': 1 } });
});

test('switch a reaction in a group: add and remove in one event to every occupant', async () => {
  const id = await sent(a, group._id, group._id, c);
  await call('message.addReaction', c.chat.message.addReaction(id, '👎'));
  await a.events.wait('onMessageReactionsListener', (m, _u, _d, add) => m === id && add === '👎');
  await call('message.updateReaction', c.chat.message.updateReaction(id, '🔥', '👎'));
  for (const x of [a, b]) {
    const [, userId, dialogId, add, remove] = await x.events.wait('onMessageReactionsListener', (m, _u, _d, ad) => m === id && ad === '🔥');
    assert.deepEqual([userId, dialogId, add, remove], [carol.id, group._id, '🔥', '👎']);
  }
  await call('message.removeReaction', c.chat.message.removeReaction(id, '🔥'));
  const list = await call('message.listReactions', a.chat.message.listReactions(id));
  assert.deepEqual(list, {});
});
