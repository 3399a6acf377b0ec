// Stream management (XEP-0198, docs/protocol.md §8.15): with chat.streamManagement on,
// SDK 6 sends <enable/> after connecting, follows every content message with <r/> and
// reports a message "sent" through chat.onSentMessageCallback(lost, sent) when the
// server's <a h/> covers it. The SDK does this over WebSocket only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS, call, env, useStreamManagement, usersFor } from '../lib/harness.mjs';
import { connectUser, settle } from '../lib/chat.mjs';

const [alice, bob] = usersFor(import.meta.url);
useStreamManagement();
const skip = env.transport !== 'websocket' && 'the SDK uses stream management over WebSocket only';

test("stream management: every message gets the SDK's 'sent' status, none is lost", { skip }, async () => {
  const b = await connectUser(bob);
  const a = await connectUser(alice);
  await settle(a); // <enabled/> has arrived: the SDK counts only after it

  const sent = new Map();
  const lost = [];
  const allSent = new Promise((resolve) => {
    a.chat.onSentMessageCallback = (lostMessage, sentMessage) => {
      if (lostMessage) lost.push(lostMessage);
      if (sentMessage) sent.set(sentMessage.id, sentMessage);
      if (sent.size + lost.length === 3) resolve();
    };
  });
  const ids = ['one', 'two', 'three'].map((body) =>
    a.chat.send(bob.id, { type: 'chat', body, extension: { save_to_history: 1 } }));
  await call('onSentMessageCallback for three messages', allSent, LIMITS.event);
  assert.deepEqual(lost, [], 'no message reported lost');
  assert.deepEqual([...sent.keys()].sort(), [...ids].sort(), 'each message reported sent once');
  for (const id of ids) {
    await b.events.wait('onMessageListener', (_, m) => m.id === id);
  }
});

test('stream management on both sides: JS to the Go SDK and back, each side acknowledged', { skip }, async () => {
  const peer = env.goPeer;
  assert.ok(peer, 'CUBE_GO_PEER is set by compat_test.go');
  const a = await connectUser(alice);
  await settle(a);
  const acked = new Promise((resolve, reject) => {
    a.chat.onSentMessageCallback = (lostMessage, sentMessage) =>
      (lostMessage ? reject(new Error(`lost ${lostMessage.id}`)) : resolve(sentMessage));
  });
  const id = a.chat.send(peer.id, { type: 'chat', body: 'acked?', extension: { save_to_history: 1 } });
  const sentMessage = await call('onSentMessageCallback', acked, LIMITS.event);
  assert.equal(sentMessage.id, id);
  const [, echo] = await a.events.wait('onMessageListener', (u, m) => u === peer.id && m.extension?.echo_of === id);
  assert.equal(echo.extension.peer_sm, '1', 'the Go SDK runs stream management against cubeserver');
});
