// The chat connection (docs/protocol.md §8.1–§8.2, §8.11, §8.14): SASL PLAIN with the
// password or the session token, a refused password, ping, active/inactive,
// disconnect and offline delivery on the next login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS, call, env, login, usersFor } from '../lib/harness.mjs';
import { connectUser, settle } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);

test('connect with the password, the JID is {id}-{appId}@domain/resource', async () => {
  const c = await connectUser(alice);
  const jid = c.chat.xmppClient.jid.toString();
  assert.match(jid, new RegExp(`^${alice.id}-${env.appId}@${env.chatDomain.replace('.', '\\.')}/.{8,}$`));
  assert.equal(c.chat.isConnected, true);
  assert.equal(c.chat.currentUserId, alice.id);
  await c.close();
});

test('connect with the session token as the password', async () => {
  const c = await connectUser(bob, { useToken: true });
  await settle(c);
  await c.close();
});

test('a wrong password is refused (SASL not-authorized)', async () => {
  const { cc } = await login(carol);
  try {
    const err = await call('chat.connect(wrong password)', cc.chat.connect({ userId: carol.id, password: 'wrong' }).then(
      () => { throw new Error('connect resolved with a wrong password'); },
      (e) => e,
    ), LIMITS.connect);
    assert.equal(err, 'not-authorized', `SASL condition, got ${JSON.stringify(err)}`);
  } finally {
    cc.chat.terminate();
  }
});

test('ping, markInactive, markActive', async () => {
  const c = await connectUser(alice);
  await call('pingWithTimeout', c.chat.pingWithTimeout(3000));
  c.chat.markInactive();
  c.chat.markActive();
  await settle(c); // an error answer to mobile#v2 would not reject, but a dropped stream would
  assert.equal(c.chat.isConnected, true);
  await c.close();
});

test('two connections of one user get distinct resources', async () => {
  const one = await connectUser(carol);
  const two = await connectUser(carol);
  assert.notEqual(one.chat.xmppClient.jid.getResource(), two.chat.xmppClient.jid.getResource());
  await one.close();
  await two.close();
});

test('a 1-1 message to an offline user is delivered on the next login, with a delay', async () => {
  const a = await connectUser(alice);
  const id = a.chat.send(bob.id, { type: 'chat', body: 'while you were away', extension: { save_to_history: 1 } });
  await settle(a);
  const b = await connectUser(bob);
  const [from, msg] = await b.events.wait('onMessageListener', (_, m) => m.id === id);
  assert.equal(from, alice.id);
  assert.equal(msg.body, 'while you were away');
  assert.ok(msg.delay, 'an offline message carries <delay>');
  assert.match(msg.dialog_id ?? '', /^[0-9a-f]{24}$/, 'the server added dialog_id');
});
