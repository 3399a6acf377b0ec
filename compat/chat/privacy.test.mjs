// Privacy lists (docs/protocol.md §8.12): create, getNames, getList, setAsDefault, and the
// default list enforced: a blocked user's 1-1 message bounces with error 503, their
// group messages are silently not delivered to the blocker.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, usersFor } from '../lib/harness.mjs';
import { connectUser, settle } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);

let a; let b; let c;
let group;

before(async () => {
  [a, b, c] = await Promise.all([connectUser(alice), connectUser(bob), connectUser(carol)]);
  group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'Privacy', occupants_ids: [bob.id, carol.id] }));
});

test('create a list, read names and items back', async () => {
  await call('privacylist.create', a.chat.privacylist.create({
    name: 'blocked', items: [{ user_id: bob.id, action: 'deny' }, { user_id: carol.id, action: 'allow' }],
  }));
  const names = await call('privacylist.getNames', a.chat.privacylist.getNames());
  assert.ok(names.names.includes('blocked'), `names ${JSON.stringify(names)}`);
  const list = await call('privacylist.getList', a.chat.privacylist.getList('blocked'));
  assert.equal(list.name, 'blocked');
  assert.deepEqual(list.items.sort((x, y) => x.user_id - y.user_id), [
    { user_id: bob.id, action: 'deny' }, { user_id: carol.id, action: 'allow' },
  ].sort((x, y) => x.user_id - y.user_id));
});

test('the default list blocks: 1-1 bounces with 503, group messages are filtered', async () => {
  await call('privacylist.create', a.chat.privacylist.create({ name: 'strict', items: [{ user_id: bob.id, action: 'deny' }] }));
  await call('privacylist.setAsDefault', a.chat.privacylist.setAsDefault('strict'));
  const names = await call('privacylist.getNames', a.chat.privacylist.getNames());
  assert.equal(names.default, 'strict');

  const id = b.chat.send(alice.id, { type: 'chat', body: 'let me in', extension: { save_to_history: 1 } });
  const [mid, error] = await b.events.wait('onMessageErrorListener', (m) => m === id);
  assert.equal(mid, id);
  assert.equal(error.code, 503, JSON.stringify(error));
  await a.events.none('onMessageListener', (_, m) => m.id === id);

  const gid = b.chat.send(group._id, { type: 'groupchat', body: 'group from bob', extension: { save_to_history: 1 } });
  await c.events.wait('onMessageListener', (_, m) => m.id === gid);
  await a.events.none('onMessageListener', (_, m) => m.id === gid);

  await call('privacylist.setAsDefault(null)', a.chat.privacylist.setAsDefault(null));
  await call('privacylist.delete', a.chat.privacylist.delete('strict'));
  const again = b.chat.send(alice.id, { type: 'chat', body: 'unblocked', extension: { save_to_history: 1 } });
  await a.events.wait('onMessageListener', (_, m) => m.id === again);
  await settle(b);
});

test('a mutual block also stops the blocker writing to the blocked user', async () => {
  await call('privacylist.create', c.chat.privacylist.create({ name: 'mutual', items: [{ user_id: bob.id, action: 'deny', mutualBlock: true }] }));
  await call('privacylist.setAsDefault', c.chat.privacylist.setAsDefault('mutual'));
  const id = c.chat.send(bob.id, { type: 'chat', body: 'you cannot read this', extension: { save_to_history: 1 } });
  const [, error] = await c.events.wait('onMessageErrorListener', (m) => m === id);
  assert.equal(error.code, 503, JSON.stringify(error));
  await b.events.none('onMessageListener', (_, m) => m.id === id);
  await call('privacylist.setAsDefault(null)', c.chat.privacylist.setAsDefault(null));
});
