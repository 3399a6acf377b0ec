// The Users API's account calls (docs/protocol.md §2.5) as the SDK sends them:
// users.update (profile, password), users.delete, users.get(id) (v1), users.listOnline,
// users.getOnlineCount and users.resetPassword. Accounts that are changed for good
// are signed up here, so the seeded users stay as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, login, newSDK, rejection, usersFor } from '../lib/harness.mjs';

const [alice, bob] = usersFor(import.meta.url);

/** Signs up a fresh account and returns it with a signed-in SDK. */
async function freshAccount(name) {
  const creds = { login: `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`, password: 'first-pw-1' };
  const { user } = await call(`users.signup(${name})`, newSDK().users.signup(creds));
  const { cc } = await login({ ...creds, id: user.id });
  return { cc, user, creds };
}

test('users.update changes the own profile; null clears a field; unset fields stay null', async () => {
  const { cc } = await login(alice);
  const { user } = await call('users.update', cc.users.update({ full_name: 'Alice Liddell', website: 'alice.example', tag_list: ['vip', 'beta'] }));
  assert.equal(user.id, alice.id);
  assert.equal(user.full_name, 'Alice Liddell');
  assert.equal(user.website, 'alice.example');
  assert.equal(user.user_tags, 'vip,beta');
  assert.equal(user.email, null);
  const { user: cleared } = await call('users.update(website: null)', cc.users.update({ website: null }));
  assert.equal(cleared.website, null);
  assert.equal(cleared.full_name, 'Alice Liddell');
  // Another user reads the change (users.get with an id is GET /users/{id}).
  const { cc: bobCC } = await login(bob);
  const { user: seen } = await call('users.get(id)', bobCC.users.get(alice.id));
  assert.equal(seen.full_name, 'Alice Liddell');
  assert.equal(seen.phone, null);
});

test('users.get of an unknown id is a 404', async () => {
  const { cc } = await login(bob);
  const err = await rejection('users.get(unknown)', cc.users.get(987654321));
  assert.equal(err.code, 404);
});

test('users.update with a wrong old_password is refused; the right one changes the password and ends other sessions', async () => {
  const { cc, user, creds } = await freshAccount('pw');
  const { cc: otherDevice } = await login({ ...creds, id: user.id });
  const wrong = await rejection('users.update(wrong old_password)', cc.users.update({ old_password: 'nope', password: 'second-pw-2' }));
  assert.equal(wrong.code, 422);
  assert.deepEqual(wrong.info.errors.old_password, ['is incorrect']);
  await call('users.update(password)', cc.users.update({ old_password: creds.password, password: 'second-pw-2' }));
  // This session goes on; the other device's does not.
  await call('getSession (changing device)', cc.getSession());
  const ended = await rejection('getSession (other device)', otherDevice.getSession());
  assert.equal(ended.code, 401);
  await rejection('createSession(old password)', newSDK().createSession({ login: creds.login, password: creds.password }));
  await call('createSession(new password)', newSDK().createSession({ login: creds.login, password: 'second-pw-2' }));
});

test('users.delete deletes the own account: it can no longer sign in and is not found', async () => {
  const { cc, user, creds } = await freshAccount('gone');
  await call('users.delete', cc.users.delete());
  const { cc: bobCC } = await login(bob);
  const err = await rejection('users.get(deleted)', bobCC.users.get(user.id));
  assert.equal(err.code, 404);
  const refused = await rejection('createSession(deleted)', newSDK().createSession({ login: creds.login, password: creds.password }));
  assert.equal(refused.code, 401);
});

test('users.listOnline and users.getOnlineCount answer their shapes (nobody chats in the REST run)', async () => {
  const { cc } = await login(alice);
  const list = await call('users.listOnline', cc.users.listOnline({ limit: 10, offset: 0 }));
  assert.deepEqual(list, { users: [] });
  const count = await call('users.getOnlineCount', cc.users.getOnlineCount());
  assert.deepEqual(count, { count: 0 });
});

test('users.resetPassword is accepted (the server logs it; it sends no mail)', async () => {
  const { cc } = await login(alice);
  await call('users.resetPassword', cc.users.resetPassword('alice@example.com'));
  const blank = await rejection('users.resetPassword(no email)', cc.users.resetPassword(''));
  assert.equal(blank.code, 422);
});
