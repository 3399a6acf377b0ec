#!/usr/bin/env bash
# memprobe measures the real cubechat window's memory at issue 10's scale
# (docs/benchmarks.md, "Issue 10, memory in the real window"): a built cubechat
# on a copy of the 1M-message fixture (internal/bigcache), in a fresh profile,
# under an X server (Xvfb), signed in offline through the login form with xdotool,
# then the first chat clicked and Alt+Down 19 times. It prints VmRSS (and RssAnon,
# RssFile) at the login screen (the reference, same run), with the dialog list,
# and after the 20 chats. Between steps it waits until the app's CPU time stops
# growing (under 10% of a core for 1.5 s), so each figure is of a settled window.
#
#   go build -o /tmp/cubechat . && DISPLAY=:15 cmd/memprobe/memprobe.sh /tmp/cubechat [fixture.db]
#
# The X server must be running (Xvfb :15 -screen 0 1280x800x24 &). The fixture
# defaults to the one internal/bigcache keeps in the temp directory (built by any
# Scale benchmark, e.g. go test ./app -run X -bench ScaleColdStart -benchtime 1x).
# MEMPROBE_HEAP=prefix also writes Go heap profiles (prefix.1-3.pprof) at the
# three points, through the app's CUBECHAT_HEAP_PROFILE (SIGUSR1) hook; extra
# environment for the app (GODEBUG=gctrace=1, GOGC=…) passes through.
# MEMPROBE_LOG=file keeps the app's output; MEMPROBE_SCREEN=file.png saves a
# screenshot of the display after the 20 chats; MEMPROBE_SMAPS=prefix copies
# /proc/PID/smaps at each point (prefix.1-3); MEMPROBE_IDLE=seconds reports once
# more after the window was left idle that long (Fyne frees what it cached of
# closed chats some time after their last use: app/fynecache). MEMPROBE_REVISIT=
# seconds then goes back through the same 19 chats after that pause (Alt+Up) and
# prints the CPU the 19 steps took, beside the CPU of opening them the first time.
set -euo pipefail

bin=${1:?usage: memprobe.sh path/to/cubechat [fixture.db]}
fixture=${2:-${TMPDIR:-/tmp}/cubechat-bigcache-v2-m1000000-d10000-b100000-u2000/cache.db}
: "${DISPLAY:?set DISPLAY to a running X server}"
[[ -f $fixture ]] || { echo "memprobe: no fixture at $fixture" >&2; exit 1; }

work=$(mktemp -d)
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	if [[ -n ${MEMPROBE_LOG:-} ]]; then cp "$work/app.log" "$MEMPROBE_LOG"; fi
	rm -rf "$work"
}
trap cleanup EXIT

# A fresh profile: the fixture's copy (opening chats writes to it), a recent
# integrity-check mark (a clean start checks nothing), and a remembered login
# form pointing at a closed port, so the sign-in ends offline on the cache.
mkdir -p "$work/data" "$work/cfg/fyne/io.cubechat.CubeChat"
cp "$fixture" "$work/data/cache.db"
touch "$work/data/cache.db-checked"
cat >"$work/cfg/fyne/io.cubechat.CubeChat/preferences.json" <<'JSON'
{"login.lastForm":"{\"kind\":\"Custom server\",\"api_url\":\"http://127.0.0.1:9\",\"chat_host\":\"127.0.0.1:9\",\"chat_domain\":\"localhost\",\"chat_tls\":\"tls\",\"app_id\":\"1\",\"auth_key\":\"k\",\"login\":\"me\"}"}
JSON

heap=${MEMPROBE_HEAP:-}
env XDG_CONFIG_HOME="$work/cfg" ${heap:+CUBECHAT_HEAP_PROFILE="$heap"} "$bin" --data "$work/data" >"$work/app.log" 2>&1 &
pid=$!

cputicks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

# settle waits until the app used under 10% of a core for 1.5 s (60 s at most): a
# focused entry's blinking cursor keeps an idle window drawing a little.
settle() {
	local last now quiet=0
	last=$(cputicks)
	for _ in $(seq 120); do
		sleep 0.5
		now=$(cputicks)
		if ((now - last <= 5)); then quiet=$((quiet + 1)); else quiet=0; fi
		last=$now
		((quiet >= 3)) && return 0
	done
	echo "memprobe: the app did not settle (${1:-})" >&2
}

# anonsplit divides the anonymous resident memory into the C heap (brk) and the
# other anonymous mappings (the Go heap, C malloc arenas and mmaps: Mesa's
# llvmpipe, GLFW, X11); with MEMPROBE_HEAP the app's log line after it says how
# much of that the Go runtime holds.
anonsplit() {
	awk '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); addr = r[1]; named = ($6 != ""); name = $6 }
		/^Anonymous:/ {
			kb = $2
			if (name == "[heap]") brk += kb
			else other += kb
		}
		END { printf "c-brk %d MiB, other %d MiB", brk/1024, other/1024 }
	' "/proc/$pid/smaps"
}

n=0
m=0
report() {
	local rss anon file
	rss=$(awk '/^VmRSS:/ {print int($2/1024)}' "/proc/$pid/status")
	anon=$(awk '/^RssAnon:/ {print int($2/1024)}' "/proc/$pid/status")
	file=$(awk '/^RssFile:/ {print int($2/1024)}' "/proc/$pid/status")
	printf '%-15s VmRSS %4d MiB  RssAnon %4d MiB  RssFile %4d MiB  CPU %5.1f s  anon: %s\n' "$1" "$rss" "$anon" "$file" \
		"$(echo "$(cputicks) / $(getconf CLK_TCK)" | bc -l)" "$(anonsplit)"
	m=$((m + 1))
	if [[ -n ${MEMPROBE_SMAPS:-} ]]; then cp "/proc/$pid/smaps" "$MEMPROBE_SMAPS.$m"; fi
	if [[ -n $heap ]]; then
		n=$((n + 1))
		kill -USR1 "$pid"
		for _ in $(seq 100); do [[ -s $heap.$n.pprof ]] && break; sleep 0.1; done
		sleep 0.5
		grep -o 'path=[^ ]*'"$n"'.pprof live_mib.*' "$work/app.log" | tail -1 | sed 's/^/    go: /'
		settle "heap profile"
	fi
}

for _ in $(seq 100); do
	win=$(xdotool search --name '^cubechat$' | head -1) && break
	kill -0 "$pid" || { cat "$work/app.log" >&2; exit 1; }
	sleep 0.2
done
settle login
report "login screen"

# The password field has the focus when the form is filled from the last login.
xdotool type --window "$win" pw
xdotool key --window "$win" Return
settle list
report "dialog list"

# The first row of the list (the window opens at 0,0).
xdotool mousemove --window "$win" 150 125 click 1
settle "first chat"
# steps walks count chats with the given key and prints the CPU they took (each
# step's work and its settling: under 0.15 s of idle drawing a step).
steps() {
	local before
	before=$(cputicks)
	for _ in $(seq "$2"); do
		xdotool key --window "$win" "$1"
		settle "next chat"
	done
	printf '%-15s CPU %5.1f s for %d chats (%s)\n' "$3" "$(echo "($(cputicks) - $before) / $(getconf CLK_TCK)" | bc -l)" "$2" "$1"
}
steps alt+Down 19 "  19 opened"
report "after 20 chats"
if [[ -n ${MEMPROBE_REVISIT:-} ]]; then
	# The same 19 chats again after MEMPROBE_REVISIT seconds: what Fyne still
	# cached of them (renderers, text textures, measurements) is what they reuse.
	idle0=$(cputicks)
	sleep "$MEMPROBE_REVISIT"
	printf '%-15s CPU %5.1f%% of a core over %s s\n' "  idle" \
		"$(echo "($(cputicks) - $idle0) * 100 / $(getconf CLK_TCK) / $MEMPROBE_REVISIT" | bc -l)" "$MEMPROBE_REVISIT"
	settle revisit
	steps alt+Up 19 "  19 revisited"
	report "after revisit"
fi
if [[ -n ${MEMPROBE_IDLE:-} ]]; then
	sleep "$MEMPROBE_IDLE"
	settle idle
	report "idle ${MEMPROBE_IDLE}s"
fi
if [[ -n ${MEMPROBE_SCREEN:-} ]]; then import -window root "$MEMPROBE_SCREEN"; fi
