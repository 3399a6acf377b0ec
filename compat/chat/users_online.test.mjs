// Who is online (docs/protocol.md §2.5): users.listOnline and users.getOnlineCount
// list the users connected to the chat, whatever the transport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, env, login, usersFor } from '../lib/harness.mjs';
import { connectUser } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);

test('users.listOnline lists connected users, users.getOnlineCount counts them', async () => {
  const a = await connectUser(alice);
  const b = await connectUser(bob);
  const { cc } = await login(carol); // signed in over REST only: not online
  const { users } = await call('users.listOnline', cc.users.listOnline({ limit: 100 }));
  const ids = users.map((u) => u.id);
  assert.ok(ids.includes(alice.id) && ids.includes(bob.id), `online ${ids}`);
  assert.ok(!ids.includes(carol.id), `carol is not connected: ${ids}`);
  // The Go SDK peer (cube.Chat) counts as online like any JS client.
  if (env.goPeer) assert.ok(ids.includes(env.goPeer.id), `the Go peer ${env.goPeer.id} is not listed: ${ids}`);
  const alicesRow = users.find((u) => u.id === alice.id);
  assert.equal(alicesRow.login, alice.login);
  assert.equal(alicesRow.email, null);
  const { count } = await call('users.getOnlineCount', cc.users.getOnlineCount());
  assert.ok(count >= 2, `count ${count}`);
  assert.equal(count, ids.length > 100 ? count : ids.length);
  await b.close();
  await a.close();
});
