// Order within one second: SDK 6 makes message ids random within a second, so history
// lists same-second messages by date_sent and then by arrival on the server, and
// sort_desc is the exact reverse of sort_asc.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, usersFor } from '../lib/harness.mjs';
import { connectUser } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);

let a; let b;
let group;

before(async () => {
  [a, b] = await Promise.all([connectUser(alice), connectUser(bob)]);
  group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'Burst', occupants_ids: [bob.id, carol.id] }));
});

test('30 quick group messages list in the order sent, ascending and descending', async () => {
  const sent = [];
  for (let i = 0; i < 30; i++) {
    sent.push(a.chat.send(group._id, { type: 'groupchat', body: `burst ${i}`, extension: { save_to_history: 1 } }));
  }
  // Live delivery is in order; once Bob has the last one, all are stored.
  await b.events.wait('onMessageListener', (_, m) => m.id === sent[sent.length - 1]);
  const list = async (sort) => (await call(`message.list ${Object.keys(sort)[0]}`,
    b.chat.message.list({ chat_dialog_id: group._id, limit: 100, mark_as_read: 0, ...sort }))).items.map((m) => m._id);
  assert.deepEqual(await list({ sort_asc: 'date_sent' }), sent);
  assert.deepEqual(await list({ sort_desc: 'date_sent' }), [...sent].reverse());
});
