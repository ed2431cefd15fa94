#!/usr/bin/env bash
# A throw-away Docker engine for gpulint's live-mode tests, started without any image registry.
#
#   eval "$(scripts/docker-engine.sh start)"   # prints two export lines: DOCKER_HOST, GPULINT_ENGINE_DIR
#   scripts/docker-engine.sh stop              # stops the daemon of $GPULINT_ENGINE_DIR by its PID
#   scripts/docker-engine.sh status
#
# Needs root. Installs docker.io and debootstrap with apt-get when they are missing, starts dockerd
# (vfs storage, no iptables, no bridge: it works inside a container), and makes the local base image
# gpulint-test/python:bookworm (Debian minbase + python3) with debootstrap from the Debian mirror the
# machine's apt sources already use.
#
# Several engines can run side by side (two CI runs on one machine): everything one engine writes
# (socket, PID file, data and exec roots, logs) lives in its own folder, GPULINT_ENGINE_DIR, made
# with mktemp when unset, and `stop` stops only the daemon whose PID that folder recorded. The base
# image's root file system is cached under GPULINT_CI_CACHE (default /var/cache/gpulint-ci) in a
# file named after what it was built from (suite, variant, packages, mirror), written to a private
# temporary name and renamed into place, so concurrent runs share it safely.
#
# Standard output carries only the export lines, so `eval` is safe; standard error gets one line per
# step, and a failure is one line naming the reason and the log that holds the details.
set -euo pipefail

SUITE="bookworm"
VARIANT="minbase"
PACKAGES="python3"
BASE_IMAGE="gpulint-test/python:bookworm"
CACHE="${GPULINT_CI_CACHE:-/var/cache/gpulint-ci}"

log() { echo "docker-engine: $*" >&2; }
fail() { log "cannot start: $*"; exit 1; }

state_dir() {
    if [ -z "${GPULINT_ENGINE_DIR:-}" ]; then
        GPULINT_ENGINE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/gpulint-engine.XXXXXX")"
    fi
    STATE="$GPULINT_ENGINE_DIR"
    SOCK="$STATE/docker.sock"
    PIDFILE="$STATE/dockerd.pid"
}

mirror() {
    # The Debian mirror of the machine's apt sources (deb822 or one-line format); the default otherwise.
    local uri
    uri="$(grep -hs -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
            /etc/apt/sources.list 2>/dev/null \
        | grep -oE '(https?|file)://[^ ]*/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ')" || true
    echo "${uri:-http://deb.debian.org/debian}"
}

need_tools() {
    if command -v dockerd >/dev/null && command -v docker >/dev/null && command -v debootstrap >/dev/null; then
        return 0
    fi
    log "installing docker.io and debootstrap (log: $STATE/apt.log)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >"$STATE/apt.log" 2>&1 || true
    apt-get install -y -qq --no-install-recommends docker.io debootstrap >>"$STATE/apt.log" 2>&1 \
        || fail "apt-get could not install docker.io and debootstrap (log: $STATE/apt.log)"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start_daemon() {
    mkdir -p "$STATE/data" "$STATE/exec"
    if running; then
        log "dockerd already running (pid $(cat "$PIDFILE"))"
        return 0
    fi
    rm -f "$SOCK"
    # setsid: the daemon outlives this script; `stop` ends it by the PID recorded here.
    setsid dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
        --data-root "$STATE/data" --exec-root "$STATE/exec" --pidfile "$STATE/dockerd.pidfile" \
        -H "unix://$SOCK" >"$STATE/dockerd.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 120); do
        if [ -S "$SOCK" ] && DOCKER_HOST="unix://$SOCK" docker version >/dev/null 2>&1; then
            log "dockerd ready on unix://$SOCK"
            return 0
        fi
        running || fail "dockerd exited at start: $(tail -n 1 "$STATE/dockerd.log" | cut -c1-200) (log: $STATE/dockerd.log)"
        sleep 0.5
    done
    fail "dockerd did not answer within 60 s (log: $STATE/dockerd.log)"
}

base_image() {
    export DOCKER_HOST="unix://$SOCK"
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    local url key tarball
    url="$(mirror)"
    key="$(printf '%s\n' "$SUITE" "$VARIANT" "$PACKAGES" "$url" | sha256sum | cut -c1-16)"
    tarball="$CACHE/rootfs-$SUITE-$key.tar"
    if [ ! -s "$tarball" ]; then
        local root="$STATE/rootfs" partial
        log "building the base image's root file system with debootstrap from $url (log: $STATE/debootstrap.log)"
        debootstrap --variant="$VARIANT" --include="$PACKAGES" "$SUITE" "$root" "$url" \
            >"$STATE/debootstrap.log" 2>&1 \
            || fail "debootstrap failed: $(grep -m1 -E '^[EW]:' "$STATE/debootstrap.log" | cut -c1-200 || true) (log: $STATE/debootstrap.log)"
        rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*
        mkdir -p "$CACHE"
        partial="$(mktemp "$CACHE/.rootfs.XXXXXX")"
        tar -C "$root" -cf "$partial" . && mv -f "$partial" "$tarball"
        rm -rf "$root"
    fi
    log "importing $BASE_IMAGE"
    docker import "$tarball" "$BASE_IMAGE" >/dev/null 2>>"$STATE/dockerd.log" \
        || fail "docker import of $tarball failed (log: $STATE/dockerd.log)"
}

stop_daemon() {
    if running; then
        local pid
        pid="$(cat "$PIDFILE")"
        log "stopping dockerd (pid $pid)"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE" "$SOCK"
    # Unmount what this engine mounted (only under its own folder), then drop its data.
    grep -s " $STATE/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$STATE"
}

case "${1:-}" in
    start)
        [ "$(id -u)" = 0 ] || fail "must run as root"
        state_dir
        need_tools
        start_daemon
        base_image
        echo "export DOCKER_HOST=unix://$SOCK"
        echo "export GPULINT_ENGINE_DIR=$STATE"
        ;;
    stop)
        [ -n "${GPULINT_ENGINE_DIR:-}" ] || { log "GPULINT_ENGINE_DIR is not set: no engine of this run to stop"; exit 0; }
        state_dir
        stop_daemon
        ;;
    status)
        [ -n "${GPULINT_ENGINE_DIR:-}" ] || { echo "stopped (GPULINT_ENGINE_DIR is not set)"; exit 1; }
        state_dir
        if running; then echo "running (pid $(cat "$PIDFILE")), DOCKER_HOST=unix://$SOCK"; else echo "stopped"; exit 1; fi
        ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
