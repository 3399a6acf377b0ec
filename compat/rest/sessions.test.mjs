// Sessions and authentication (docs/protocol.md §2.5): unsigned SDK 6 sessions, token
// re-use, login/logout, sign-up and the sessionExpired retry path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, env, login, newSDK, rejection, usersFor } from '../lib/harness.mjs';

const [alice, bob] = usersFor(import.meta.url);

test('createSession with login and password gives a user session', async () => {
  const { session } = await login(alice);
  assert.match(session.token, /^\S{16,}$/, 'token');
  assert.equal(session.user_id, alice.id);
  assert.equal(Number(session.application_id), env.appId);
});

test('createSession with a wrong password is refused with 401', async () => {
  const cc = newSDK();
  const err = await rejection('createSession(wrong password)', cc.createSession({ login: alice.login, password: 'nope' }));
  assert.equal(err.code, 401, JSON.stringify(err));
});

test('init({appId, token}) re-uses an existing session (GET /session)', async () => {
  const { session } = await login(alice);
  const cc = newSDK({ appId: env.appId, token: session.token });
  const again = await call('getSession', cc.getSession());
  assert.equal(again.user_id, alice.id);
  assert.equal(again.token, session.token);
});

test('an app session upgraded by login, then logout and destroySession', async () => {
  const cc = newSDK();
  const app = await call('createSession()', cc.createSession());
  assert.ok(!app.user_id, `app session has no user, got user_id=${app.user_id}`);
  const user = await call('auth.login', cc.auth.login({ login: bob.login, password: bob.password }));
  assert.equal(user.id, bob.id);
  assert.equal(user.login, bob.login);
  const s = await call('getSession after login', cc.getSession());
  assert.equal(s.user_id, bob.id);
  await call('auth.logout', cc.auth.logout());
  const after = await call('getSession after logout', cc.getSession());
  assert.ok(!after.user_id, `session after logout has no user, got user_id=${after.user_id}`);
  const token = cc.service.getSession().token;
  await call('destroySession', cc.destroySession());
  const gone = newSDK({ appId: env.appId, token });
  const err = await rejection('getSession with a destroyed token', gone.getSession());
  assert.equal(err.code, 401);
});

test('users.signup with the app auth key, then a session for the new user', async () => {
  const cc = newSDK();
  const newLogin = `signup-${Date.now()}`;
  const { user } = await call('users.signup', cc.users.signup({ login: newLogin, password: 'secret-pw', full_name: 'New User' }));
  assert.equal(user.login, newLogin);
  assert.equal(user.full_name, 'New User');
  const session = await call('createSession(new user)', newSDK().createSession({ login: newLogin, password: 'secret-pw' }));
  assert.equal(session.user_id, user.id);
});

test('users.getV2 by id list (id[in][]=…)', async () => {
  const { cc } = await login(alice);
  const res = await call('users.getV2', cc.users.getV2({ id: { in: [alice.id, bob.id] } }));
  const ids = res.items.map((u) => u.id).sort((a, b) => a - b);
  assert.deepEqual(ids, [alice.id, bob.id].sort((a, b) => a - b));
  assert.equal(res.items.find((u) => u.id === bob.id).login, bob.login);
});

test('an invalid token fires sessionExpired and the SDK retries with the new session', async () => {
  const { session } = await login(alice);
  const cc = newSDK({ appId: env.appId, token: 'ffffffffffffffffffffffffffffffffffffffff' });
  const config = cc.service.sdkInstance.config;
  let fired = 0;
  config.on.sessionExpired = (handleResponse, retry) => {
    fired++;
    retry({ token: session.token, user_id: session.user_id });
  };
  try {
    const res = await call('chat.dialog.list with an invalid token', cc.chat.dialog.list({ limit: 1 }));
    assert.equal(fired, 1, 'sessionExpired fired once');
    assert.ok(Array.isArray(res.items), 'the retried request answered the dialog list');
  } finally {
    config.on.sessionExpired = undefined;
  }
});

test('an invalid token without a sessionExpired handler rejects with the exact 401 body', async () => {
  const cc = newSDK({ appId: env.appId, token: 'ffffffffffffffffffffffffffffffffffffffff' });
  const err = await rejection('chat.dialog.list with an invalid token', cc.chat.dialog.list({ limit: 1 }));
  assert.equal(err.code, 401);
  assert.deepEqual(err.info, { errors: { base: ['Required session does not exist'] } });
});
