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
