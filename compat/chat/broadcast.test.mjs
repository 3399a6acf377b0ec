// Broadcast dialogs (docs/security.md): made by the administrator, read by every user of
// the app. The owner's message reaches every online user live, not only occupants_ids;
// any user may join the room; the owner names admins among all users, and admins post.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS, call, env, sleep, usersFor } from '../lib/harness.mjs';
import { connectUser, settle } from '../lib/chat.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);

let a; let b; let c; // alice owns the broadcast; bob and carol only read it
let news;

async function createBroadcast(ownerId, name) {
  const res = await fetch(`${env.apiURL}/admin/chat/Dialog`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CB-Administration-API-Key': env.adminKey },
    body: JSON.stringify({ user_id: ownerId, name }),
  });
  const text = await res.text();
  assert.equal(res.status, 201, `POST /admin/chat/Dialog: ${res.status} ${text}`);
  return JSON.parse(text);
}

before(async () => {
  [a, b, c] = await Promise.all([connectUser(alice), connectUser(bob), connectUser(carol)]);
  news = await createBroadcast(alice.id, 'News');
});

async function history(client) {
  const res = await call('message.list', client.chat.message.list({ chat_dialog_id: news._id, sort_asc: 'date_sent', limit: 100, mark_as_read: 0 }));
  return res.items.map((m) => m._id);
}

// SDK 6.1.2 never resolves muc.join (it looks for the 110 status under a child named
// "xmlns"), but it rejects a refused join: a join counts as accepted when it has not
// been refused within the quiet period, as an outsider's join of a group is.
async function joinOutcome(client, dialogId) {
  const join = client.chat.muc.join(dialogId).then(() => 'joined', (err) => `refused ${JSON.stringify(err)}`);
  return Promise.race([join, sleep(LIMITS.quiet).then(() => 'not refused')]);
}

test('a reader joins the broadcast room; an outsider of a group is refused', async () => {
  assert.match(await joinOutcome(c, news._id), /^(joined|not refused)$/);
  const group = await call('dialog.create group', a.chat.dialog.create({ type: 2, name: 'Inner', occupants_ids: [bob.id] }));
  assert.match(await joinOutcome(c, group._id), /^refused .*403/);
});

test("the owner's message reaches every online user live and is stored", async () => {
  assert.deepEqual(news.occupants_ids.map(Number), [alice.id], 'only the owner occupies it');
  const id = a.chat.send(news._id, { type: 'groupchat', body: 'breaking', extension: { save_to_history: 1 } });
  for (const reader of [b, c]) {
    const [from, msg] = await reader.events.wait('onMessageListener', (_, m) => m.id === id);
    assert.equal(from, alice.id);
    assert.equal(msg.dialog_id, news._id);
  }
  assert.ok((await history(c)).includes(id), 'a reader finds it in the history');
});

test('a reader may not post', async () => {
  const id = c.chat.send(news._id, { type: 'groupchat', body: 'me too', extension: { save_to_history: 1 } });
  await c.events.wait('onMessageErrorListener', (m) => m === id);
  await b.events.none('onMessageListener', (_, m) => m.id === id);
});

test('the owner makes a reader admin, the admin posts to everyone, then is removed', async () => {
  const withAdmin = await call('dialog.addAdmins', a.chat.dialog.addAdmins(news._id, [bob.id]));
  assert.deepEqual(withAdmin.admins_ids.map(Number), [bob.id]);
  const id = b.chat.send(news._id, { type: 'groupchat', body: 'from the admin', extension: { save_to_history: 1 } });
  for (const other of [a, c]) {
    const [from] = await other.events.wait('onMessageListener', (_, m) => m.id === id);
    assert.equal(from, bob.id);
  }
  assert.ok((await history(c)).includes(id));
  const without = await call('dialog.removeAdmins', a.chat.dialog.removeAdmins(news._id, [bob.id]));
  assert.deepEqual((without.admins_ids ?? []).map(Number), []);
  const late = b.chat.send(news._id, { type: 'groupchat', body: 'no longer', extension: { save_to_history: 1 } });
  await b.events.wait('onMessageErrorListener', (m) => m === late);
  await settle(b);
});

test('only the owner names admins', async () => {
  await assert.rejects(call('dialog.addAdmins by a reader', c.chat.dialog.addAdmins(news._id, [carol.id])), /code=403/);
});
