// Shared set-up of the JS SDK compatibility suite: the server coordinates that
// compat_test.go passes in the environment, one SDK instance per user, and helpers
// that turn the SDK's hangs and {code, info} rejections into clear, fast failures.
import ConnectyCube from 'connectycube';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { traffic, installTrafficLog } from './traffic.mjs';

function required(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run this suite through "go test ./compat" (compat_test.go sets it)`);
  }
  return v;
}

/** What compat_test.go tells us about the server under test. */
export const env = {
  apiURL: required('CUBE_API_URL'),
  chatDomain: required('CUBE_CHAT_DOMAIN'),
  chatURL: process.env.CUBE_CHAT_URL || '', // "" in the REST-only run
  appId: Number(required('CUBE_APP_ID')),
  authKey: required('CUBE_AUTH_KEY'),
  transport: required('CUBE_TRANSPORT'),
  users: JSON.parse(required('CUBE_USERS')),
  goPeer: process.env.CUBE_GO_PEER ? JSON.parse(process.env.CUBE_GO_PEER) : null,
  adminKey: process.env.CUBE_ADMIN_KEY || '', // CB-Administration-API-Key (broadcast dialogs)
};

/** Short limits so that a missing server answer fails in seconds, not minutes. */
export const LIMITS = { rest: 5000, connect: 8000, event: 5000, quiet: 700 };

// The SDK's configuration is one object per process (each init() overwrites it), and
// node --test runs every file in its own process: a file that tests stream management
// (XEP-0198) turns it on for all of its SDK instances.
let streamManagement = false;

/** Turns chat.streamManagement on for every SDK instance this file creates from now on. */
export function useStreamManagement() {
  streamManagement = true;
}

/** The SDK options pointing at the local server (docs/protocol.md §10). */
export function sdkOptions() {
  return {
    endpoints: { api_url: env.apiURL, chat: env.chatDomain, chat_url: env.chatURL || undefined },
    chat: { reconnect: { enable: false, timeInterval: 1 }, streamManagement: { enable: streamManagement } },
    debug: { mode: 0 },
    timeout: LIMITS.rest,
  };
}

/**
 * The users compat_test.go seeded for the calling test file: each file gets its own,
 * so files can run in parallel without one file's privacy list or messages reaching
 * another's.
 */
export function usersFor(metaURL) {
  const file = fileURLToPath(metaURL);
  const key = `${path.basename(path.dirname(file))}/${path.basename(file).replace(/\.test\.mjs$/, '')}`;
  const list = env.users[key];
  if (!list || list.length === 0) {
    throw new Error(`no seeded users for ${key}; compat_test.go seeds one group per *.test.mjs file`);
  }
  return list;
}

/** A fresh SDK instance (own session and chat connection; the config is shared). */
export function newSDK(credentials = { appId: env.appId, authKey: env.authKey }) {
  const cc = new ConnectyCube.ConnectyCube();
  cc.init(credentials, sdkOptions());
  installTrafficLog(cc.utils);
  return cc;
}

/** Wraps an SDK promise: a deadline, and SDK rejections ({code, info}) as Errors. */
export async function call(what, promise, ms = LIMITS.rest) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms${traffic()}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } catch (err) {
    throw asError(what, err);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs fn and returns the SDK's rejection as a {code, info} object; fails if it resolves. */
export async function rejection(what, promise, ms = LIMITS.rest) {
  let result;
  try {
    result = await call(what, promise, ms);
  } catch (err) {
    if (err.sdkError) return err.sdkError;
    throw err;
  }
  throw new Error(`${what}: expected the SDK to reject, it resolved with ${JSON.stringify(result)}`);
}

function asError(what, err) {
  if (err instanceof Error && err.message.startsWith(what)) return err;
  if (err && typeof err === 'object' && 'code' in err && !(err instanceof Error)) {
    const e = new Error(`${what}: SDK error code=${err.code} info=${JSON.stringify(err.info)}${traffic()}`);
    e.sdkError = err;
    return e;
  }
  const e = new Error(`${what}: ${err instanceof Error ? err.message : JSON.stringify(err)}${traffic()}`);
  if (err instanceof Error) e.cause = err;
  return e;
}

/** A user session: POST /session with login and password (unsigned, SDK 6 style). */
export async function login(user) {
  const cc = newSDK();
  const session = await call(`createSession(${user.login})`, cc.createSession({ login: user.login, password: user.password }));
  return { cc, session, user };
}

/** Seconds since the epoch, the unit of date_sent. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
