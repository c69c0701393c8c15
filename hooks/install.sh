#!/bin/bash
# Installs Headroom's qemu hook for libvirt (see hooks/README.md). Idempotent; root only.
#   hooks/install.sh [--agent-down start|refuse] [--socket PATH] [--timeout-ms N] [--force]
#   hooks/install.sh --uninstall
# libvirtd looks for /etc/libvirt/hooks/qemu when it starts: install before starting libvirtd,
# or restart it afterwards.
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
LIBEXEC=${HEADROOM_LIBEXEC:-/usr/local/libexec/headroom}
HOOK=${HEADROOM_HOOK_FILE:-/etc/libvirt/hooks/qemu}
MARKER="# headroom qemu hook"

agent_down=start socket=/run/headroom/hook.sock timeout_ms=30000 force=0 uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --agent-down) agent_down=$2; shift 2 ;;
    --socket) socket=$2; shift 2 ;;
    --timeout-ms) timeout_ms=$2; shift 2 ;;
    --force) force=1; shift ;;
    --uninstall) uninstall=1; shift ;;
    *) echo "usage: $0 [--agent-down start|refuse] [--socket PATH] [--timeout-ms N] [--force] | --uninstall" >&2; exit 2 ;;
  esac
done
case "$agent_down" in start|refuse) ;; *) echo "--agent-down is start or refuse" >&2; exit 2 ;; esac

ours() { [ -f "$HOOK" ] && grep -qF "$MARKER" "$HOOK"; }

if [ "$uninstall" = 1 ]; then
  if ours; then rm -f "$HOOK"; echo "hooks: removed $HOOK"; fi
  rm -f "$LIBEXEC/qemu-hook"
  exit 0
fi

if [ -e "$HOOK" ] && ! ours && [ "$force" != 1 ]; then
  echo "hooks: $HOOK exists and is not Headroom's; move it into /etc/libvirt/hooks/qemu.d/ or pass --force" >&2
  exit 1
fi

# Build the hook (a C program: it runs on every VM start and must add almost nothing to it).
mkdir -p "$LIBEXEC"
if [ ! -x "$LIBEXEC/qemu-hook" ] || [ "$HERE/qemu-hook.c" -nt "$LIBEXEC/qemu-hook" ]; then
  cc -O2 -Wall -Wextra -o "$LIBEXEC/qemu-hook.new" "$HERE/qemu-hook.c"
  mv "$LIBEXEC/qemu-hook.new" "$LIBEXEC/qemu-hook"
fi

wanted="#!/bin/sh
$MARKER: forwards libvirt's calls to the Headroom agent (hooks/README.md)
exec $LIBEXEC/qemu-hook --socket $socket --agent-down $agent_down --timeout-ms $timeout_ms \"\$@\""
if [ "$(cat "$HOOK" 2>/dev/null)" != "$wanted" ]; then
  new=0; [ -e "$HOOK" ] || new=1
  mkdir -p "$(dirname "$HOOK")"
  printf '%s\n' "$wanted" > "$HOOK.new"
  chmod 0755 "$HOOK.new"
  mv "$HOOK.new" "$HOOK"
  echo "hooks: installed $HOOK (agent down: $agent_down)"
  if [ "$new" = 1 ] && pgrep -x libvirtd >/dev/null; then
    echo "hooks: libvirtd is running: restart it so that it calls the new hook" >&2
  fi
fi
