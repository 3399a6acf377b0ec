// Typing notifications (docs/protocol.md §8.6): composing/paused, relayed and never stored.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, usersFor } from '../lib/harness.mjs';
import { connectUser } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);

let a; let b; let c;
let group;

before(async () => {
  [a, b, c] = await Promise.all([connectUser(alice), connectUser(bob), connectUser(carol)]);
  group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'Typing', occupants_ids: [bob.id, carol.id] }));
});

test('1-1 typing and stop typing (no dialog id)', async () => {
  a.chat.sendIsTypingStatus(bob.id);
  const [typing, userId, dialogId] = await b.events.wait('onMessageTypingListener', (t, u) => t === true && u === alice.id);
  assert.equal(typing, true);
  assert.equal(userId, alice.id);
  assert.equal(dialogId, null);
  a.chat.sendIsStopTypingStatus(bob.id);
  await b.events.wait('onMessageTypingListener', (t, u) => t === false && u === alice.id);
});

test('group typing reaches the other occupants with the dialog id, not the typist', async () => {
  a.chat.sendIsTypingStatus(group._id);
  const got = await Promise.all([b, c].map((x) => x.events.wait('onMessageTypingListener', (t, u, d) => t === true && u === alice.id && d === group._id)));
  assert.equal(got.length, 2);
  await a.events.none('onMessageTypingListener', (t, u) => u === alice.id);
});
