#!/usr/bin/env bash
# A throw-away Docker engine for gpulint's live-mode tests, started without any image registry.
#
#   eval "$(scripts/docker-engine.sh start)"   # prints: export DOCKER_HOST=unix:///.../docker.sock
#   scripts/docker-engine.sh stop              # stops the daemon by its PID, removes its state
#   scripts/docker-engine.sh status
#
# Needs root. Installs docker.io and debootstrap with apt-get when they are missing, starts dockerd
# (vfs storage, no iptables, no bridge: it works inside a container), and makes the local base image
# gpulint-test/python:bookworm (Debian minbase + python3) with debootstrap from the Debian mirror the
# machine's apt sources already use. The base image's tarball is cached between runs under
# GPULINT_CI_CACHE (default /var/cache/gpulint-ci). Everything the daemon writes lives under
# GPULINT_ENGINE_DIR (default /tmp/gpulint-engine). Logs go to standard error; standard output
# carries only the export line, so `eval` is safe.
set -euo pipefail

STATE="${GPULINT_ENGINE_DIR:-/tmp/gpulint-engine}"
CACHE="${GPULINT_CI_CACHE:-/var/cache/gpulint-ci}"
BASE_IMAGE="gpulint-test/python:bookworm"
SOCK="$STATE/docker.sock"
PIDFILE="$STATE/dockerd.pid"

log() { echo "docker-engine: $*" >&2; }

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
    log "installing docker.io and debootstrap"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq --no-install-recommends docker.io debootstrap >&2
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start_daemon() {
    mkdir -p "$STATE/data" "$STATE/exec"
    if running; then
        log "dockerd already running (pid $(cat "$PIDFILE"))"
        return 0
    fi
    rm -f "$SOCK"
    log "starting dockerd (log: $STATE/dockerd.log)"
    # setsid: the daemon outlives this script; stop it with `stop`, by its PID.
    setsid dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
        --data-root "$STATE/data" --exec-root "$STATE/exec" --pidfile "$STATE/dockerd.pidfile" \
        -H "unix://$SOCK" >"$STATE/dockerd.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 120); do
        if [ -S "$SOCK" ] && DOCKER_HOST="unix://$SOCK" docker version >/dev/null 2>&1; then
            log "dockerd ready on unix://$SOCK"
            return 0
        fi
        if ! running; then
            log "dockerd exited; the end of its log:"
            tail -n 20 "$STATE/dockerd.log" >&2 || true
            return 1
        fi
        sleep 0.5
    done
    log "dockerd did not answer within 60 s"
    return 1
}

base_image() {
    export DOCKER_HOST="unix://$SOCK"
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    local tarball="$CACHE/python-bookworm-rootfs.tar"
    if [ ! -s "$tarball" ]; then
        local root="$STATE/rootfs" url
        url="$(mirror)"
        log "building the base image's root file system with debootstrap from $url (cached in $tarball)"
        rm -rf "$root"
        debootstrap --variant=minbase --include=python3 bookworm "$root" "$url" >"$STATE/debootstrap.log" 2>&1 || {
            log "debootstrap failed; the end of its log:"
            tail -n 20 "$STATE/debootstrap.log" >&2
            return 1
        }
        rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*
        mkdir -p "$CACHE"
        tar -C "$root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
        rm -rf "$root"
    fi
    log "importing $BASE_IMAGE"
    docker import "$tarball" "$BASE_IMAGE" >/dev/null
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
    # vfs copies every layer: drop the daemon's data, keep the cached base tarball.
    if [ -d "$STATE/exec" ]; then
        grep -s " $STATE/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    fi
    rm -rf "$STATE"
}

case "${1:-}" in
    start)
        [ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }
        need_tools
        start_daemon
        base_image
        echo "export DOCKER_HOST=unix://$SOCK"
        ;;
    stop)
        stop_daemon
        ;;
    status)
        if running; then echo "running (pid $(cat "$PIDFILE")), DOCKER_HOST=unix://$SOCK"; else echo "stopped"; exit 1; fi
        ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
