// Chat dialogs over REST (docs/protocol.md §3): create each type, list with filters,
// update, admins, notification settings, public subscriptions and delete.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, env, login, nowSeconds, usersFor } from '../lib/harness.mjs';

const [alice, bob, carol] = usersFor(import.meta.url);
const GROUP = 2;
const PRIVATE = 3;
const PUBLIC = 4; // wire value per the docs (the JS enum calls 4 BROADCAST, §3.1)

const sorted = (ids) => [...ids].map(Number).sort((a, b) => a - b);
const roomJID = (id) => `${env.appId}_${id}@muc.${env.chatDomain}`;

let a; // alice's SDK
let b; // bob's SDK

before(async () => {
  ({ cc: a } = await login(alice));
  ({ cc: b } = await login(bob));
});

test('create a group dialog (occupants as the SDK\'s "7, 8" string)', async () => {
  const d = await call('dialog.create group', a.chat.dialog.create({ type: GROUP, name: 'Compat group', occupants_ids: [bob.id, carol.id], description: 'about' }));
  assert.match(d._id, /^[0-9a-f]{24}$/);
  assert.equal(d.type, GROUP);
  assert.equal(d.name, 'Compat group');
  assert.equal(d.description, 'about');
  assert.equal(d.user_id, alice.id);
  assert.deepEqual(sorted(d.occupants_ids), sorted([alice.id, bob.id, carol.id]));
  assert.equal(d.xmpp_room_jid, roomJID(d._id));
});

test('create a private dialog; creating it again returns the same dialog', async () => {
  const d = await call('dialog.create private', a.chat.dialog.create({ type: PRIVATE, occupants_ids: [bob.id] }));
  assert.equal(d.type, PRIVATE);
  assert.deepEqual(sorted(d.occupants_ids), sorted([alice.id, bob.id]));
  assert.ok(!d.xmpp_room_jid, `private dialog has no room JID, got ${d.xmpp_room_jid}`);
  const again = await call('dialog.create private again', b.chat.dialog.create({ type: PRIVATE, occupants_ids: [alice.id] }));
  assert.equal(again._id, d._id);
});

test('create a public dialog', async () => {
  const d = await call('dialog.create public', a.chat.dialog.create({ type: PUBLIC, name: 'Compat public' }));
  assert.equal(d.type, PUBLIC);
  assert.equal(d.name, 'Compat public');
  assert.equal(d.xmpp_room_jid, roomJID(d._id));
});

test('list with type[in], limit, sort and count', async () => {
  const g = await call('dialog.create', a.chat.dialog.create({ type: GROUP, name: 'Listed', occupants_ids: [bob.id] }));
  const all = await call('dialog.list', a.chat.dialog.list({ type: { in: [GROUP, PRIVATE] }, sort_desc: 'updated_at' }));
  assert.ok(all.items.some((d) => d._id === g._id), 'new group is listed');
  assert.ok(all.items.every((d) => d.type === GROUP || d.type === PRIVATE), 'only types 2 and 3');
  assert.equal(all.total_entries, all.items.length);
  const stamps = all.items.map((d) => Date.parse(d.updated_at));
  assert.deepEqual(stamps, [...stamps].sort((x, y) => y - x), 'sort_desc=updated_at');
  const one = await call('dialog.list limit 1', a.chat.dialog.list({ limit: 1, sort_desc: 'updated_at' }));
  assert.equal(one.items.length, 1);
  assert.equal(one.limit, 1);
  assert.ok(one.total_entries >= 2, `total_entries ${one.total_entries}`);
  const counted = await call('dialog.list count', a.chat.dialog.list({ count: 1, type: { in: [GROUP, PRIVATE] } }));
  assert.deepEqual(counted, { items: { count: all.total_entries } });
  const bobs = await call('dialog.list as bob', b.chat.dialog.list({ _id: g._id }));
  assert.deepEqual(bobs.items.map((d) => d._id), [g._id], 'occupant bob sees it by _id');
  const recent = await call('dialog.list updated_at[gt]', a.chat.dialog.list({ updated_at: { gt: nowSeconds() - 3600 } }));
  assert.ok(recent.items.some((d) => d._id === g._id), 'updated_at[gt] in unix seconds');
  const future = await call('dialog.list updated_at[gt] future', a.chat.dialog.list({ updated_at: { gt: nowSeconds() + 3600 } }));
  assert.equal(future.items.length, 0);
});

test('update name and occupants (push_all / pull_all)', async () => {
  const d = await call('dialog.create', a.chat.dialog.create({ type: GROUP, name: 'Before', occupants_ids: [bob.id] }));
  const renamed = await call('dialog.update name+push', a.chat.dialog.update(d._id, { name: 'After', push_all: { occupants_ids: [carol.id] } }));
  assert.equal(renamed.name, 'After');
  assert.deepEqual(sorted(renamed.occupants_ids), sorted([alice.id, bob.id, carol.id]));
  const pulled = await call('dialog.update pull', a.chat.dialog.update(d._id, { pull_all: { occupants_ids: [bob.id] } }));
  assert.deepEqual(sorted(pulled.occupants_ids), sorted([alice.id, carol.id]));
  const bobs = await call('dialog.list as removed bob', b.chat.dialog.list({ _id: d._id }));
  assert.equal(bobs.items.length, 0, 'a removed occupant no longer lists the dialog');
});

test('add and remove admins', async () => {
  const d = await call('dialog.create', a.chat.dialog.create({ type: GROUP, name: 'Admins', occupants_ids: [bob.id, carol.id] }));
  const added = await call('dialog.addAdmins', a.chat.dialog.addAdmins(d._id, [bob.id]));
  assert.ok(added.admins_ids.map(Number).includes(bob.id), `admins ${added.admins_ids}`);
  const removed = await call('dialog.removeAdmins', a.chat.dialog.removeAdmins(d._id, [bob.id]));
  assert.ok(!removed.admins_ids.map(Number).includes(bob.id), `admins ${removed.admins_ids}`);
});

test('notification settings get and set', async () => {
  const d = await call('dialog.create', a.chat.dialog.create({ type: GROUP, name: 'Mute me', occupants_ids: [bob.id] }));
  const before = await call('getNotificationsSettings', a.chat.dialog.getNotificationsSettings(d._id));
  assert.equal(Number(before.notifications.enabled), 1);
  const off = await call('updateNotificationsSettings(0)', a.chat.dialog.updateNotificationsSettings(d._id, false));
  assert.equal(Number(off.notifications.enabled), 0);
  const after = await call('getNotificationsSettings again', a.chat.dialog.getNotificationsSettings(d._id));
  assert.equal(Number(after.notifications.enabled), 0);
});

test('subscribe to and unsubscribe from a public dialog', async () => {
  const d = await call('dialog.create public', a.chat.dialog.create({ type: PUBLIC, name: 'Open house' }));
  const sub = await call('dialog.subscribe', b.chat.dialog.subscribe(d._id));
  assert.equal(sub._id, d._id);
  const listed = await call('dialog.list as subscriber', b.chat.dialog.list({ _id: d._id }));
  assert.equal(listed.items.length, 1, 'a subscriber lists the public dialog');
  const occupants = await call('getPublicOccupants', b.chat.dialog.getPublicOccupants(d._id));
  assert.ok(occupants.items.some((u) => (u.user ?? u).id === bob.id), 'bob is an occupant');
  await call('dialog.unsubscribe', b.chat.dialog.unsubscribe(d._id));
  const gone = await call('dialog.list after unsubscribe', b.chat.dialog.list({ _id: d._id }));
  assert.equal(gone.items.length, 0);
});

test('delete one dialog (text answer) and several (bulk JSON)', async () => {
  const one = await call('dialog.create', a.chat.dialog.create({ type: GROUP, name: 'Delete one', occupants_ids: [bob.id] }));
  await call('dialog.delete one', a.chat.dialog.delete(one._id));
  const left = await call('dialog.list after delete', a.chat.dialog.list({ _id: one._id }));
  assert.equal(left.items.length, 0);
  const x = await call('dialog.create x', a.chat.dialog.create({ type: GROUP, name: 'X', occupants_ids: [bob.id] }));
  const y = await call('dialog.create y', a.chat.dialog.create({ type: GROUP, name: 'Y', occupants_ids: [bob.id] }));
  const res = await call('dialog.delete many force', a.chat.dialog.delete([x._id, y._id, 'ffffffffffffffffffffffff'], { force: 1 }));
  assert.deepEqual([...res.SuccessfullyDeleted.ids].sort(), [x._id, y._id].sort());
  assert.deepEqual(res.NotFound.ids, ['ffffffffffffffffffffffff']);
  const bobs = await call('dialog.list as bob after force', b.chat.dialog.list({ _id: { in: [x._id, y._id] } }));
  assert.equal(bobs.items.length, 0, 'force=1 deletes for every occupant');
});
