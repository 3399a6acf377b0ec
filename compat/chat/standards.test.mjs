// Standard XMPP for clients other than ConnectyCube's (docs/architecture.md, "Standard
// XMPP clients"): xmpp.js, the library inside the SDK, used plainly, without the
// ConnectyCube layer. Service discovery, message children the server does not model,
// IQs between resources, own-resource presence, and messages to nobody.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { client, xml } from '@xmpp/client';
import { env, LIMITS, usersFor } from '../lib/harness.mjs';

// Node 20 has no global WebSocket; the SDK brings ws for the same reason.
globalThis.WebSocket ??= WebSocket;

const [alice, bob] = usersFor(import.meta.url);
const started = [];

/** A plain xmpp.js client signed in as user, with a recorder of incoming stanzas. */
async function plainClient(user, resource) {
  const x = client({
    service: env.chatURL, domain: env.chatDomain, resource,
    username: `${user.id}-${env.appId}`, password: user.password,
  });
  x.reconnect.stop();
  x.on('error', () => {}); // a failed start rejects start() below
  const seen = [];
  const waiters = new Set();
  x.on('stanza', (st) => {
    seen.push(st);
    for (const w of waiters) {
      if (w.match(st)) {
        waiters.delete(w);
        w.resolve(st);
      }
    }
  });
  x.next = (what, match, ms = LIMITS.event) => {
    const past = seen.find(match);
    if (past) {
      seen.splice(seen.indexOf(past), 1);
      return Promise.resolve(past);
    }
    return new Promise((resolve, reject) => {
      const w = { match, resolve };
      waiters.add(w);
      setTimeout(() => {
        if (waiters.delete(w)) reject(new Error(`${x.jid}: no ${what} within ${ms} ms; seen:\n  ${seen.map(String).join('\n  ')}`));
      }, ms);
    });
  };
  let timer;
  await Promise.race([
    x.start(),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`xmpp.js start as ${user.login}: no answer`)), LIMITS.connect); }),
  ]).finally(() => clearTimeout(timer));
  started.push(x);
  return x;
}

let a; let b;

before(async () => {
  [a, b] = await Promise.all([plainClient(alice, 'plain-a'), plainClient(bob, 'plain-b')]);
  await Promise.all([a.send(xml('presence')), b.send(xml('presence'))]);
});

after(async () => {
  await Promise.allSettled(started.map((x) => x.stop()));
});

test('disco#info: an im server that advertises carbons, ping, last activity and privacy lists', async () => {
  const res = await a.iqCaller.request(
    xml('iq', { type: 'get', to: env.chatDomain }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })), LIMITS.event);
  const q = res.getChild('query', 'http://jabber.org/protocol/disco#info');
  const id = q.getChild('identity');
  assert.equal(id.attrs.category, 'server');
  assert.equal(id.attrs.type, 'im');
  const features = q.getChildren('feature').map((f) => f.attrs.var);
  for (const f of ['urn:xmpp:carbons:2', 'urn:xmpp:ping', 'jabber:iq:last', 'jabber:iq:privacy']) {
    assert.ok(features.includes(f), `${f} not in ${features}`);
  }
});

test('receipts, thread, origin-id and private elements reach the recipient, and the receipt comes back', async () => {
  const id = `std-${Date.now()}`;
  await a.send(xml('message', { type: 'chat', to: b.jid.toString(), id },
    xml('body', {}, 'with extensions'),
    xml('thread', {}, 'th-1'),
    xml('request', { xmlns: 'urn:xmpp:receipts' }),
    xml('origin-id', { xmlns: 'urn:xmpp:sid:0', id: 'o-1' }),
    xml('mine', { xmlns: 'urn:example:private', k: 'v' }, xml('deep', {}, 'text & more'))));
  const got = await b.next('the message', (st) => st.is('message') && st.attrs.id === id);
  assert.equal(got.getChildText('body'), 'with extensions');
  assert.equal(got.getChildText('thread'), 'th-1');
  assert.ok(got.getChild('request', 'urn:xmpp:receipts'), got.toString());
  assert.equal(got.getChild('origin-id', 'urn:xmpp:sid:0')?.attrs.id, 'o-1');
  const mine = got.getChild('mine', 'urn:example:private');
  assert.equal(mine?.attrs.k, 'v');
  assert.equal(mine.getChildText('deep'), 'text & more');

  await b.send(xml('message', { type: 'chat', to: got.attrs.from, id: `r-${id}` }, xml('received', { xmlns: 'urn:xmpp:receipts', id })));
  const receipt = await a.next('the receipt', (st) => st.is('message') && st.attrs.id === `r-${id}`);
  assert.equal(receipt.getChild('received', 'urn:xmpp:receipts')?.attrs.id, id);
});

test('an IQ to a full JID is answered by that client; to an offline resource, service-unavailable', async () => {
  const res = await a.iqCaller.request(xml('iq', { type: 'get', to: b.jid.toString() }, xml('ping', { xmlns: 'urn:xmpp:ping' })), LIMITS.event);
  assert.equal(res.attrs.type, 'result');
  assert.equal(res.attrs.from, b.jid.toString());
  await assert.rejects(
    a.iqCaller.request(xml('iq', { type: 'get', to: `${b.jid.bare()}/gone` }, xml('ping', { xmlns: 'urn:xmpp:ping' })), LIMITS.event),
    (err) => err.condition === 'service-unavailable');
});

test('a message to an account that does not exist bounces with service-unavailable', async () => {
  const nobody = `999999999-${env.appId}@${env.chatDomain}`;
  await a.send(xml('message', { type: 'chat', to: nobody, id: 'to-nobody' }, xml('body', {}, 'hello?')));
  const err = await a.next('the bounce', (st) => st.is('message') && st.attrs.id === 'to-nobody');
  assert.equal(err.attrs.type, 'error');
  assert.ok(err.getChild('error')?.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas'), err.toString());
});

test('a second resource\'s presence reaches the first, and the first\'s reaches it', async () => {
  const a2 = await plainClient(alice, 'plain-a2');
  await a2.send(xml('presence', {}, xml('show', {}, 'away')));
  const p = await a.next('the new resource\'s presence', (st) => st.is('presence') && st.attrs.from === a2.jid.toString());
  assert.equal(p.getChildText('show'), 'away');
  await a2.next('the first resource\'s presence', (st) => st.is('presence') && st.attrs.from === a.jid.toString());
  await a2.stop();
  const gone = await a.next('unavailable presence', (st) => st.is('presence') && st.attrs.from === a2.jid.toString() && st.attrs.type === 'unavailable');
  assert.ok(gone);
});
