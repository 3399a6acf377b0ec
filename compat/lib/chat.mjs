// Chat side of the harness: a logged-in SDK instance with its XMPP connection, and an
// event recorder over the SDK's single-callback listeners, so tests can wait for "the
// next onMessageListener call whose message id is X" with a deadline.
import { after } from 'node:test';
import { LIMITS, call, env, login } from './harness.mjs';
import { traffic } from './traffic.mjs';

// Every listener the XMPP chat service exposes (AbstractChatService + XMPPChatService).
const LISTENERS = [
  'onMessageListener',
  'onSystemMessageListener',
  'onMessageTypingListener',
  'onMessageUpdateListener',
  'onMessageDeleteListener',
  'onMessageReactionsListener',
  'onDeliveredStatusListener',
  'onReadStatusListener',
  'onLastUserActivityListener',
  'onMessageErrorListener',
  'onDisconnectedListener',
  'onJoinOccupant',
  'onLeaveOccupant',
];

/** Records every listener call and lets tests wait for a matching one. */
export class Recorder {
  constructor(chat, label) {
    this.label = label;
    this.seen = []; // {name, args}
    this.waiters = new Set();
    for (const name of LISTENERS) {
      chat[name] = (...args) => this.push(name, args);
    }
  }

  push(name, args) {
    const ev = { name, args };
    this.seen.push(ev);
    for (const w of this.waiters) {
      if (w.name === name && w.match(...args)) {
        this.waiters.delete(w);
        w.resolve(args);
      }
    }
  }

  /** The args of the first call of listener name (past or future) that matches. */
  wait(name, match = () => true, ms = LIMITS.event) {
    const past = this.seen.find((ev) => ev.name === name && match(...ev.args));
    if (past) {
      this.seen.splice(this.seen.indexOf(past), 1);
      return Promise.resolve(past.args);
    }
    return new Promise((resolve, reject) => {
      const w = { name, match, resolve };
      this.waiters.add(w);
      setTimeout(() => {
        if (!this.waiters.delete(w)) return;
        const got = this.seen.map((ev) => `${ev.name}${JSON.stringify(ev.args)}`).join('\n  ') || '(nothing)';
        reject(new Error(`${this.label}: no matching ${name} within ${ms} ms; events seen:\n  ${got}${traffic()}`));
      }, ms);
    });
  }

  /** Fails if a matching call of listener name happens within ms. */
  async none(name, match = () => true, ms = LIMITS.quiet) {
    await new Promise((r) => setTimeout(r, ms));
    const hit = this.seen.find((ev) => ev.name === name && match(...ev.args));
    if (hit) {
      throw new Error(`${this.label}: unexpected ${name}${JSON.stringify(hit.args)}`);
    }
  }
}

const open = new Set();

after(async () => {
  await Promise.all([...open].map((c) => c.close()));
});

/**
 * Logs the user in over REST and connects the chat with the user's password (or with
 * the session token when useToken is set). Closed automatically after the file's tests.
 */
export async function connectUser(user, { useToken = false } = {}) {
  if (!env.chatURL) throw new Error('this run has no chat transport (CUBE_CHAT_URL is empty)');
  const { cc, session } = await login(user);
  const client = {
    cc,
    user,
    session,
    chat: cc.chat,
    events: new Recorder(cc.chat, `user ${user.login} (${user.id})`),
    async close() {
      open.delete(client);
      try {
        await call(`disconnect(${user.login})`, cc.chat.disconnect(), 2000);
      } catch {
        cc.chat.terminate();
      }
    },
  };
  open.add(client);
  const password = useToken ? session.token : user.password;
  try {
    await call(`chat.connect(${user.login} over ${env.transport})`, cc.chat.connect({ userId: user.id, password }), LIMITS.connect);
  } catch (err) {
    cc.chat.terminate();
    open.delete(client);
    throw err;
  }
  return client;
}

/** Waits until the server has processed what this client sent so far (a ping round trip). */
export async function settle(client) {
  await call(`ping(${client.user.login})`, client.chat.ping(), LIMITS.event);
}
