// Group presence: muc.listOnlineUsers asks the room (disco#items) and gets the
// occupants who are connected now (docs/protocol.md).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, usersFor } from '../lib/harness.mjs';
import { connectUser } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);

let a; let b;
let group;

before(async () => {
  [a, b] = await Promise.all([connectUser(alice), connectUser(bob)]);
  group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'Who is here', occupants_ids: [bob.id, carol.id] }));
});

test('muc.listOnlineUsers lists the connected occupants, not the offline one', async () => {
  const ids = await call('muc.listOnlineUsers', a.chat.muc.listOnlineUsers(group._id));
  assert.deepEqual([...ids].sort((x, y) => x - y), [alice.id, bob.id].sort((x, y) => x - y));
});

test('the list follows a sign-in', async () => {
  await connectUser(carol);
  const ids = await call('muc.listOnlineUsers', b.chat.muc.listOnlineUsers(group._id));
  assert.equal(ids.length, 3, `online: ${ids}`);
});
