#!/usr/bin/env bash
# librdkafka's own load generator (examples/rdkafka_performance) producing to one local node, for
# before/after comparisons of vonnegut trees back to back in one run. Fetches nothing: pass the path of
# a librdkafka source tree (as for librdkafka-tests.sh) and the vonnegut trees to compare.
#
#   scripts/rdkafka-performance.sh /path/to/librdkafka [TREE|REV ...]   (default: this tree)
#
# A TREE is a vonnegut checkout; a REV (anything `git rev-parse` knows here) is exported with git
# archive into a temp dir that uses this tree's node_modules. Builds librdkafka's libs if the source
# tree has none (nice'd; needs build-essential, libssl-dev, zlib1g-dev, libzstd-dev, liblz4-dev), then
# compiles rdkafka_performance outside the source tree. Each round starts a fresh node per tree (fresh
# data dir), produces COUNT records of SIZE bytes with acks ACKS to partition 0, and prints the client's
# MB/s and the server's CPU ms per MiB (from /proc). Rounds alternate the trees, so noise on the shared
# machine hits both; read ranges, not one number. Client and server run under the same `nice`.
# RDKAFKA_ARGS adds producer options, e.g. "-X batch.size=16384 -X linger.ms=0" for small requests.
# A target may end in @VAR=VALUE[,VAR=VALUE] to start its node with those environment settings, e.g.
# `. .@VONNEGUT_LOG_WRITES=event-loop` compares the two write modes of this tree, and
# `.@UV_THREADPOOL_SIZE=1 .@UV_THREADPOOL_SIZE=2` the thread-pool sizes. PARTITION=-1 spreads records
# over the topic's partitions (with VONNEGUT_DEFAULT_PARTITIONS=N in a target's settings).
# Each line also gives the server's cores: its CPU time over the run's wall time (above 1: more than
# the event loop's thread was busy).
set -euo pipefail
SRC=${1:?usage: $0 LIBRDKAFKA_SRC [TREE|REV ...]}
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COUNT=${COUNT:-1000000}
SIZE=${SIZE:-1024}
ACKS=${ACKS:-1}
ROUNDS=${ROUNDS:-3}
PARTITION=${PARTITION:-0}
NICE=${NICE:-10}
read -r -a EXTRA <<<"${RDKAFKA_ARGS:-}"
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("$ROOT")

WORK=$(mktemp -d /tmp/vg-rdkperf-XXXXXX)
NODE_PID=
cleanup() {
  [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -f "$SRC/src/librdkafka.a" ]; then
  (cd "$SRC" && nice -n 15 ./configure --disable-gssapi --disable-curl --disable-sasl >/dev/null && nice -n 15 make -j2 libs >/dev/null)
fi
LIBS=$(sed -n 's/^LIBS+=//p' "$SRC/Makefile.config" | tr '\n' ' ')
# shellcheck disable=SC2086
nice -n 15 cc -O2 -I"$SRC/src" "$SRC/examples/rdkafka_performance.c" -o "$WORK/rdkafka_performance" "$SRC/src/librdkafka.a" $LIBS

# Resolve each target to a directory holding node/src/main.ts.
DIRS=()
ENVS=()
for target in "${TARGETS[@]}"; do
  t=${target%%@*}
  if [ "$t" != "$target" ]; then ENVS+=("${target#*@}"); else ENVS+=(""); fi
  if [ -f "$t/node/src/main.ts" ]; then DIRS+=("$(cd "$t" && pwd)"); continue; fi
  rev=$(git -C "$ROOT" rev-parse --short "$t")
  dir="$WORK/tree-$rev"
  mkdir -p "$dir"
  git -C "$ROOT" archive "$rev" | tar -x -C "$dir"
  ln -s "$(readlink -f "$ROOT/node_modules")" "$dir/node_modules"
  DIRS+=("$dir")
done

# utime+stime of a process in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

run_one() {
  local dir=$1 envs=$2 data port log out t0 t1 w0 w1
  data=$(mktemp -d "$WORK/data-XXXXXX")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  log="$data.log"
  (cd "$dir" && IFS=, && for kv in $envs; do export "${kv?}"; done && exec nice -n "$NICE" node --import tsx node/src/main.ts serve --data-dir "$data" --host 127.0.0.1 --port "$port" --admin-port -1 --log-level warn >"$log" 2>&1) &
  NODE_PID=$!
  for _ in $(seq 1 240); do grep -q "vonnegut listening" "$log" && break; sleep 0.5; done
  grep -q "vonnegut listening" "$log" || { echo "node in $dir did not start:"; cat "$log"; exit 1; }
  # A first small produce creates the topic, so the measured run does not include auto-creation.
  nice -n "$NICE" "$WORK/rdkafka_performance" -P -t perf -p 0 -b "127.0.0.1:$port" -s "$SIZE" -c 100 -a "$ACKS" -q >/dev/null 2>&1
  # Every run starts without dirty pages, so none pays for the writeback of the one before it.
  sync
  t0=$(cpu_ticks "$NODE_PID")
  w0=$(date +%s%N)
  out=$(nice -n "$NICE" "$WORK/rdkafka_performance" -P -t perf -p "$PARTITION" -b "127.0.0.1:$port" -s "$SIZE" -c "$COUNT" -a "$ACKS" -q ${EXTRA[@]+"${EXTRA[@]}"} 2>&1)
  t1=$(cpu_ticks "$NODE_PID")
  w1=$(date +%s%N)
  kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true; NODE_PID=
  rm -rf "$data" "$log"
  local mbs bytes
  mbs=$(grep -oE '[0-9.]+ MB/s' <<<"$out" | tail -1 | cut -d' ' -f1)
  bytes=$(grep -oE '\(([0-9]+) bytes\)' <<<"$out" | tail -1 | tr -dc 0-9)
  [ -n "$mbs" ] && [ -n "$bytes" ] || { echo "no summary from rdkafka_performance: $out"; exit 1; }
  awk -v d="$dir${envs:+@$envs}" -v mbs="$mbs" -v ticks=$((t1 - t0)) -v tck="$TICK" -v b="$bytes" -v ns=$((w1 - w0)) \
    'BEGIN { printf "%-60s %8.1f MB/s  server %6.2f ms CPU/MiB  %4.2f cores\n", d, mbs, ticks * 1000 / tck / (b / 1048576), ticks / tck / (ns / 1e9) }'
}

echo "rdkafka_performance -P: $COUNT x $SIZE B, acks=$ACKS ${RDKAFKA_ARGS:-}, $ROUNDS rounds, nice $NICE"
for r in $(seq 1 "$ROUNDS"); do
  for i in "${!DIRS[@]}"; do printf 'round %s  ' "$r"; run_one "${DIRS[$i]}" "${ENVS[$i]}"; done
done
