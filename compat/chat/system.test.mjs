// System messages (docs/protocol.md §8.9): type="headline" with moduleIdentifier
// SystemNotifications, relayed user to user; never shown as chat messages.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, usersFor } from '../lib/harness.mjs';
import { connectUser } from '../lib/chat.mjs';

const [alice, bob] = usersFor(import.meta.url);

let a; let b;

before(async () => {
  [a, b] = await Promise.all([connectUser(alice), connectUser(bob)]);
});

test('sendSystemMessage reaches onSystemMessageListener with body and extension', async () => {
  const id = a.chat.sendSystemMessage(bob.id, { body: 'dialog/NEW_DIALOG', extension: { dialog_id: 'abc', nested: { k: 'v' } } });
  const [msg] = await b.events.wait('onSystemMessageListener', (m) => m.id === id);
  assert.equal(msg.userId, alice.id);
  assert.equal(msg.body, 'dialog/NEW_DIALOG');
  assert.equal(msg.extension.dialog_id, 'abc');
  assert.deepEqual(msg.extension.nested, { k: 'v' });
  assert.equal(msg.extension.moduleIdentifier, undefined, 'the SDK strips moduleIdentifier');
  await b.events.none('onMessageListener', (_, m) => m.id === id);
});

test('REST system message is delivered as a headline', async () => {
  const res = await call('message.createSystem', a.chat.message.createSystem({ recipientId: bob.id, kind: 'rest' }));
  const [msg] = await b.events.wait('onSystemMessageListener', (m) => m.id === res.messageId);
  assert.equal(msg.userId, alice.id);
  assert.equal(msg.extension.kind, 'rest');
});
