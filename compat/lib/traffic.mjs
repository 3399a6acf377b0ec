// A ring buffer of the SDK's own debug log (REST requests and responses, XMPP stanzas
// sent and received). Failures append its tail, so a failing test shows exactly what
// the SDK sent and what the server answered. COMPAT_DEBUG=1 also prints it live.

const KEEP = 40; // entries shown after a failure
const WIDTH = 600; // characters kept of one entry

const lines = [];
let installed = false;

function render(arg) {
  if (typeof arg === 'string') return arg;
  try {
    return JSON.stringify(arg);
  } catch {
    return String(arg);
  }
}

/** Adds our logger to the SDK's (static, process-wide) logger list once. */
export function installTrafficLog(utils) {
  if (installed) return;
  installed = true;
  utils.loggers.push((args) => {
    let line = args.map(render).join(' ');
    if (line.length > WIDTH) line = `${line.slice(0, WIDTH)}…`;
    lines.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (lines.length > KEEP) lines.shift();
    if (process.env.COMPAT_DEBUG) console.error(line);
  });
}

/** The recent traffic, formatted to append to an error message ("" when none). */
export function traffic() {
  if (lines.length === 0) return '';
  return `\n--- last SDK traffic (newest last) ---\n${lines.join('\n')}\n---`;
}
