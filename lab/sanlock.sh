#!/bin/bash
# Starts and stops sanlock daemons for tests, one per simulated host, each in a run dir of its own.
#   lab/sanlock.sh start <run dir> <host name>   prints the daemon's pid; its log is <run dir>.log
#   lab/sanlock.sh stop <run dir>                SIGKILL by pid, then removes the run dir
#   lab/sanlock.sh status <run dir>
#   lab/sanlock.sh ensure <run dir> <host name>  starts one unless a daemon (any: a system service's too) answers there
#   lab/sanlock.sh answers <run dir>             exit status 0 if a daemon answers there
#   lab/sanlock.sh daemons                       the run dir of every live sanlock daemon on the host, sorted
# A client talks to the daemon of SANLOCK_RUN_DIR=<run dir> (read once per process: one process,
# one host). The daemon runs unprivileged (SANLOCK_PRIVILEGED=0: no setrlimit, initgroups or setuid,
# so no LD_PRELOAD shim), without a watchdog (-w 0), without mlockall (-l 0), under the host name
# given (-e): rejoining with the same name takes sanlock's fast path.
# Only the daemon of the given run dir is ever stopped: the pid in its lock file, checked to be a
# sanlock whose SANLOCK_RUN_DIR is that dir. A daemon holding a lockspace ignores SIGTERM, hence
# SIGKILL. `start` first ends a daemon a killed test left behind in the same run dir.
set -euo pipefail

usage() { echo "usage: $0 start <run dir> <host name> | ensure <run dir> <host name> | stop <run dir> | status <run dir> | answers <run dir> | daemons" >&2; exit 2; }
# Every live daemon's run dir ("default": none in its environment, /run/sanlock), zombies left out.
daemons() {
  local pid state env
  for pid in $(pgrep -x sanlock || true); do
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
    case $state in Z|gone) continue ;; esac
    env=$(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep '^SANLOCK_RUN_DIR=' || echo default)
    [ -d "/proc/$pid" ] && echo "sanlock daemon: ${env#SANLOCK_RUN_DIR=}"
  done | sort
}
if [ "${1:-}" = daemons ]; then daemons; exit 0; fi

[ $# -ge 2 ] || usage
cmd=$1
dir=$(readlink -m "$2")
SANLOCK=${SANLOCK:-/usr/sbin/sanlock}

# The pid of the daemon serving $dir, or nothing.
daemon_pid() {
  local pid env state
  [ -f "$dir/sanlock.pid" ] || return 0
  pid=$(tr -dc 0-9 < "$dir/sanlock.pid")
  [ -n "$pid" ] && [ -r "/proc/$pid/environ" ] || return 0
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)
  [ "$state" != Z ] || return 0
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$SANLOCK")" ] || return 0
  env=$(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -x "SANLOCK_RUN_DIR=$dir" || true)
  [ -n "$env" ] && echo "$pid"
}

# Whether a daemon answers on $dir's socket. `sanlock client version` exits 0 with no daemon too
# (it prints "daemon version error"), so its words decide.
answers() {
  local out
  out=$(SANLOCK_RUN_DIR=$dir timeout 5 "$SANLOCK" client version 2>&1) || return 1
  ! printf '%s\n' "$out" | grep -q 'daemon version error'
}

dead() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone)
  [ "$state" = gone ] || [ "$state" = Z ]
}

stop() {
  local pid; pid=$(daemon_pid)
  if [ -n "$pid" ]; then
    kill -9 "$pid"
    for _ in $(seq 1 500); do dead "$pid" && break; sleep 0.01; done
    dead "$pid" || { echo "sanlock.sh: daemon $pid of $dir did not die" >&2; exit 1; }
  fi
  rm -rf "$dir"
}

start() {
  local host=$1 log="$dir.log" pid
  [ -x "$SANLOCK" ] || { echo "sanlock.sh: $SANLOCK is missing: run lab/install.sh" >&2; exit 1; }
  stop
  mkdir -p "$dir"
  SANLOCK_RUN_DIR=$dir SANLOCK_PRIVILEGED=0 setsid "$SANLOCK" daemon -D -w 0 -l 0 -U root -G root -e "$host" \
    </dev/null >"$log" 2>&1 &
  pid=$!
  # Up when it answers a version request on its socket.
  for _ in $(seq 1 500); do
    if answers; then echo "$pid"; return 0; fi
    dead "$pid" && break
    sleep 0.01
  done
  echo "sanlock.sh: the daemon for $dir did not come up; its log:" >&2
  tail -20 "$log" >&2
  dead "$pid" || kill -9 "$pid"
  rm -rf "$dir"
  exit 1
}

case "$cmd" in
  start) [ $# -eq 3 ] || usage; start "$3" ;;
  ensure) [ $# -eq 3 ] || usage; answers || start "$3" ;;
  answers) answers ;;
  stop) [ $# -eq 2 ] || usage; stop ;;
  status) pid=$(daemon_pid); if [ -n "$pid" ]; then echo "running, pid $pid"; else echo "not running"; exit 3; fi ;;
  *) usage ;;
esac
