// Last activity (docs/protocol.md §8.13): jabber:iq:last queries and the ConnectyCube
// status_streaming subscription that pushes a user's activity changes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, sleep, usersFor } from '../lib/harness.mjs';
import { connectUser } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);

let a; let b;

before(async () => {
  [a, b] = await Promise.all([connectUser(alice), connectUser(bob)]);
});

test('an online user\'s last activity is 0 seconds', async () => {
  const res = await call('getLastUserActivity(online)', a.chat.getLastUserActivity(bob.id));
  assert.deepEqual(res, { userId: bob.id, seconds: 0 });
  const [userId, seconds] = await a.events.wait('onLastUserActivityListener', (u) => u === bob.id);
  assert.deepEqual([userId, seconds], [bob.id, 0]);
});

test('an offline user\'s last activity counts the seconds since they left', async () => {
  const c = await connectUser(carol);
  await c.close();
  await sleep(1100);
  const res = await call('getLastUserActivity(offline)', a.chat.getLastUserActivity(carol.id));
  assert.equal(res.userId, carol.id);
  assert.ok(res.seconds >= 1, `seconds ${res.seconds}`);
});

test('a subscription pushes the user\'s activity when they go offline', async () => {
  const c = await connectUser(carol);
  a.chat.subscribeToUserLastActivityStatus(carol.id);
  await call('ping after subscribe', a.chat.ping());
  await c.close();
  const [userId, seconds] = await a.events.wait('onLastUserActivityListener', (u) => u === carol.id);
  assert.equal(userId, carol.id);
  assert.ok(seconds >= 0);
  a.chat.unsubscribeFromUserLastActivityStatus(carol.id);
});
