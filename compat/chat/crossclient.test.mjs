// The JS SDK and our Go SDK (package cube) chat through cubeserver: compat_test.go
// connects a Go user (CUBE_GO_PEER) that answers every message in the same dialog with
// "echo: <body>", echo_of = the original id and the original custom keys as got_<key>.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, env, usersFor } from '../lib/harness.mjs';
import { connectUser } from '../lib/chat.mjs';

const [alice] = usersFor(import.meta.url);
const peer = env.goPeer;

let a;

before(async () => {
  assert.ok(peer, 'CUBE_GO_PEER is set by compat_test.go');
  a = await connectUser(alice);
});

test('1-1: the Go SDK receives the JS message and its echo comes back', async () => {
  const id = a.chat.send(peer.id, { type: 'chat', body: 'hello Go', extension: { save_to_history: 1, color: 'blue' } });
  const [from, msg] = await a.events.wait('onMessageListener', (u, m) => u === peer.id && m.extension?.echo_of === id);
  assert.equal(from, peer.id);
  assert.equal(msg.body, 'echo: hello Go');
  assert.equal(msg.type, 'chat');
  assert.equal(msg.extension.got_color, 'blue', 'the Go SDK parsed the JS extension');
  assert.match(msg.id, /^[0-9a-f]{24}$/, 'the Go SDK sends ObjectId stanza ids');
  assert.match(msg.dialog_id, /^[0-9a-f]{24}$/);
  const hist = await call('message.list', a.chat.message.list({ chat_dialog_id: msg.dialog_id, mark_as_read: 0 }));
  const ids = hist.items.map((m) => m._id);
  assert.ok(ids.includes(id) && ids.includes(msg.id), 'both messages are in the shared history');
});

test('group: the Go SDK receives the groupchat message without joining, echoes to the room', async () => {
  const group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'JS and Go', occupants_ids: [peer.id] }));
  const id = a.chat.send(group._id, { type: 'groupchat', body: 'hello room', extension: { save_to_history: 1, n: '42' } });
  const [from, msg] = await a.events.wait('onMessageListener', (u, m) => u === peer.id && m.extension?.echo_of === id);
  assert.equal(from, peer.id);
  assert.equal(msg.type, 'groupchat');
  assert.equal(msg.dialog_id, group._id);
  assert.equal(msg.body, 'echo: hello room');
  assert.equal(msg.extension.got_n, '42');
});
