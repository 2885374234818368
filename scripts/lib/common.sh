# Shared by the scripts: Python test dependencies and a moto server on 127.0.0.1.

MOTO_VERSION="5.2.1"

# Installs moto (server), botocore and boto3 from PyPI unless the right versions are already there.
ensure_python_deps() {
    if python3 - <<PY 2>/dev/null
import boto3, botocore, moto, flask, werkzeug, hcl2
assert moto.__version__ == "$MOTO_VERSION"
PY
    then
        return 0
    fi
    echo "installing moto[server]==$MOTO_VERSION, botocore, boto3 and python-hcl2 from PyPI" >&2
    python3 -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" botocore boto3 python-hcl2
}

CHECKOV_VERSION="3.3.30"

# Installs checkov in a virtual environment of its own under .build/ (its pins would change boto3 beside moto) unless
# it is there; prints its path.
ensure_checkov() {
    local venv=.build/checkov-venv
    if ! "$venv/bin/checkov" --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
        echo "installing checkov==$CHECKOV_VERSION from PyPI into $venv" >&2
        rm -rf "$venv"
        python3 -m venv "$venv" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" >&2
    fi
    echo "$PWD/$venv/bin/checkov"
}

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts moto on a free 127.0.0.1 port; sets MOTO_PID and MOTO_ENDPOINT. Stop it with stop_moto.
start_moto() {
    local port log
    port=$(free_port)
    log="${MOTO_LOG:-$(mktemp -t moto.XXXXXX.log)}"
    python3 -m moto.server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
    MOTO_PID=$!
    MOTO_ENDPOINT="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        if python3 -c "import urllib.request; urllib.request.urlopen('$MOTO_ENDPOINT/moto-api/', timeout=1)" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$MOTO_PID" 2>/dev/null; then
            echo "moto server exited while starting; its log:" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "moto server did not answer on $MOTO_ENDPOINT within 10 s" >&2
    stop_moto
    return 1
}

stop_moto() {
    if [ -n "${MOTO_PID:-}" ]; then
        kill "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
        MOTO_PID=""
    fi
}

# Runs "$@" in a private network namespace with only loopback up, when the system allows it.
in_private_network() {
    if [ -z "${CE_NO_NETNS:-}" ] && unshare -n true 2>/dev/null; then
        unshare -n bash -c 'ip link set lo up && exec "$@"' bash "$@"
    else
        echo "note: cannot create a private network namespace here; running on the host network (127.0.0.1 only)" >&2
        "$@"
    fi
}
