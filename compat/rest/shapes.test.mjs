// Shapes of users and dialogs (docs/protocol.md): unset optional fields are null, as the
// SDK typings declare them (email: string | null, description: string | null), and
// sign-up keeps tag_list given as the typing has it (string[]) or as a comma string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, login, newSDK, usersFor } from '../lib/harness.mjs';

const [alice, bob] = usersFor(import.meta.url);
const NULLABLE = ['email', 'phone', 'website', 'external_user_id', 'facebook_id', 'twitter_id', 'custom_data', 'blob_id', 'avatar', 'user_tags'];

function assertNulls(what, obj, keys) {
  for (const k of keys) {
    assert.ok(k in obj, `${what}: ${k} is missing, want null`);
    assert.equal(obj[k], null, `${what}: ${k}`);
  }
}

test('a plain sign-up answers its unset fields as null, and users.getV2 too', async () => {
  const newLogin = `plain-${Date.now()}`;
  const { user } = await call('users.signup', newSDK().users.signup({ login: newLogin, password: 'secret-pw' }));
  assertNulls('signup', user, NULLABLE);
  const { cc } = await login(alice);
  const res = await call('users.getV2', cc.users.getV2({ login: newLogin }));
  assert.equal(res.items.length, 1);
  assertNulls('getV2', res.items[0], NULLABLE);
});

test('users.signup keeps tag_list given as an array or as a comma string', async () => {
  const stamp = Date.now();
  const { user: arr } = await call('users.signup(tag_list array)',
    newSDK().users.signup({ login: `tags-a-${stamp}`, password: 'secret-pw', tag_list: ['vip', 'beta'] }));
  assert.equal(arr.user_tags, 'vip,beta');
  const { user: str } = await call('users.signup(tag_list string)',
    newSDK().users.signup({ login: `tags-s-${stamp}`, password: 'secret-pw', tag_list: 'vip,beta' }));
  assert.equal(str.user_tags, 'vip,beta');
});

test('a dialog created without a description answers description: null', async () => {
  const { cc } = await login(alice);
  const d = await call('dialog.create', cc.chat.dialog.create({ type: 2, name: 'Plain', occupants_ids: [bob.id] }));
  assertNulls('dialog', d, ['description']);
  const listed = (await call('dialog.list', cc.chat.dialog.list({ _id: d._id }))).items[0];
  assertNulls('listed dialog', listed, ['description']);
});
