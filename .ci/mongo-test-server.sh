#!/usr/bin/env bash
# A MongoDB-compatible server for the store tests: SecantusDB's Python server
# (GPL; run as a separate process only, never linked into wickview).
#
# Sourced (as .ci/run does):
#   source .ci/mongo-test-server.sh
#   mongo_test_server_start            # installs if needed, starts, exports the variables below
#   trap mongo_test_server_stop EXIT   # stops it by its PID and removes its data
# Or run as a command:
#   eval "$(.ci/mongo-test-server.sh start)"  # prints the export lines on stdout
#   .ci/mongo-test-server.sh stop | status | env | install
#
# Exported / printed:
#   WICKVIEW_TEST_MONGODB_URI=mongodb://127.0.0.1:<port>/?directConnection=true
#   WICKVIEW_TEST_SECANTUSD=<path of secantusd-py>  (the fault test starts its own server)
#   WICKVIEW_MONGO_TEST_STATE=<state dir: server.pid, server.port, server.log, data/>
# Logs go to stderr.
#
# Settings: WICKVIEW_MONGO_TEST_STATE (default ${TMPDIR:-/tmp}/wickview-mongo-test-<uid>);
# the venv is cached in ${XDG_CACHE_HOME:-$HOME/.cache}/wickview-ci/secantus.

MONGO_TEST_SECANTUS_VERSION="0.7.0b3"
MONGO_TEST_START_TIMEOUT_S=60

_mts_log() { echo "mongo-test-server: $*" >&2; }
_mts_venv() { echo "${XDG_CACHE_HOME:-$HOME/.cache}/wickview-ci/secantus/venv-$MONGO_TEST_SECANTUS_VERSION"; }
_mts_server() { echo "$(_mts_venv)/bin/secantusd-py"; }
_mts_state() { echo "${WICKVIEW_MONGO_TEST_STATE:-${TMPDIR:-/tmp}/wickview-mongo-test-$(id -u)}"; }

_mts_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_mts_port_open() {
    python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}

_mts_running() {
    local state
    state="$(_mts_state)"
    [[ -f "$state/server.pid" ]] && kill -0 "$(cat "$state/server.pid")" 2>/dev/null
}

# Installs SecantusDB into a cached venv (once) and prints the server's path.
mongo_test_server_install() {
    local venv server
    venv="$(_mts_venv)"
    server="$(_mts_server)"
    if [[ ! -x "$server" || ! -f "$venv/.installed" ]]; then
        _mts_log "installing SecantusDB $MONGO_TEST_SECANTUS_VERSION into $venv"
        rm -rf "$venv"
        mkdir -p "$(dirname "$venv")"
        python3 -m venv "$venv" >&2 || return 1
        "$venv/bin/pip" install --quiet --disable-pip-version-check \
            "SecantusDB==$MONGO_TEST_SECANTUS_VERSION" >&2 || return 1
        [[ -x "$server" ]] || { _mts_log "secantusd-py missing after install"; return 1; }
        touch "$venv/.installed"
    fi
    echo "$server"
}

# Prints the export lines of the running server.
mongo_test_server_env() {
    local state
    state="$(_mts_state)"
    echo "export WICKVIEW_TEST_MONGODB_URI='mongodb://127.0.0.1:$(cat "$state/server.port")/?directConnection=true'"
    echo "export WICKVIEW_TEST_SECANTUSD='$(_mts_server)'"
    echo "export WICKVIEW_MONGO_TEST_STATE='$state'"
}

# Starts the server on a free port (unless already running) and exports the variables.
mongo_test_server_start() {
    local state server port pid waited=0
    server="$(mongo_test_server_install)" || return 1
    state="$(_mts_state)"
    mkdir -p "$state"
    if _mts_running; then
        _mts_log "already running (PID $(cat "$state/server.pid"), port $(cat "$state/server.port"))"
    else
        rm -rf "$state/data"
        mkdir -p "$state/data"
        port="$(_mts_free_port)"
        # A real directory, not ':memory:' (which stalls under parallel writers).
        "$server" --host 127.0.0.1 --port "$port" --storage-path "$state/data" \
            --log-level WARNING >"$state/server.log" 2>&1 &
        pid=$!
        echo "$pid" >"$state/server.pid"
        echo "$port" >"$state/server.port"
        until _mts_port_open "$port"; do
            if ! kill -0 "$pid" 2>/dev/null; then
                _mts_log "server exited during start-up; its log:"
                cat "$state/server.log" >&2
                rm -f "$state/server.pid" "$state/server.port"
                return 1
            fi
            if ((waited >= MONGO_TEST_START_TIMEOUT_S * 4)); then
                _mts_log "port $port not open after ${MONGO_TEST_START_TIMEOUT_S}s"
                mongo_test_server_stop
                return 1
            fi
            sleep 0.25
            waited=$((waited + 1))
        done
        _mts_log "SecantusDB $MONGO_TEST_SECANTUS_VERSION on 127.0.0.1:$port (PID $pid, log $state/server.log)"
    fi
    eval "$(mongo_test_server_env)"
    export WICKVIEW_TEST_MONGODB_URI WICKVIEW_TEST_SECANTUSD WICKVIEW_MONGO_TEST_STATE
}

# Stops the server by its PID (SIGTERM, then SIGKILL after 10 s) and removes its data.
mongo_test_server_stop() {
    local state pid
    state="$(_mts_state)"
    if [[ -f "$state/server.pid" ]]; then
        pid="$(cat "$state/server.pid")"
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 40); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.25
            done
            if kill -0 "$pid" 2>/dev/null; then
                _mts_log "PID $pid ignored SIGTERM; sending SIGKILL"
                kill -9 "$pid" 2>/dev/null || true
            fi
            _mts_log "stopped PID $pid"
        fi
        rm -f "$state/server.pid" "$state/server.port"
    fi
    rm -rf "$state/data"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
        install) mongo_test_server_install ;;
        start) mongo_test_server_start >&2 && mongo_test_server_env ;;
        stop) mongo_test_server_stop ;;
        env) _mts_running || { _mts_log "not running"; exit 1; }; mongo_test_server_env ;;
        status)
            if _mts_running; then
                _mts_log "running: PID $(cat "$(_mts_state)/server.pid"), port $(cat "$(_mts_state)/server.port")"
            else
                _mts_log "not running"
                exit 1
            fi
            ;;
        *) echo "usage: $0 install|start|stop|env|status (or source it and call mongo_test_server_start/stop)" >&2; exit 2 ;;
    esac
fi
