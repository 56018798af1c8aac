#!/usr/bin/env bash
# Set up everything TickStock Live needs to run its demo and its tests, on Debian 12 as root.
#
# Idempotent and fast when nothing changed (a few seconds): each step checks first.
#   1. system packages: redis-server, PostgreSQL server binaries, Chromium, Firefox ESR
#      (apt-get, only if missing)
#   2. .venv with python3 >= 3.11
#   3. the pinned Python packages (requirements.lock) and tickstock itself (editable), skipped
#      while the stamp under .venv/ matches requirements.lock + pyproject.toml
#   4. node_modules from package-lock.json (npm ci), when missing or older than the lock file
# It never downloads browsers: the tests drive the system's /usr/bin/chromium (Playwright)
# and /usr/bin/firefox-esr (puppeteer-core over WebDriver BiDi).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf 'bootstrap: %s\n' "$*"; }
die() {
    printf 'bootstrap: ERROR: %s\n' "$*" >&2
    exit 1
}
trap 'die "command failed (line $LINENO): $BASH_COMMAND"' ERR

# --- 1. system packages ------------------------------------------------------------------
postgres_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -x "$dir/initdb" && -x "$dir/postgres" ]]; then
            echo "$dir"
            return 0
        fi
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r || true); do
        if [[ -x "$dir/initdb" && -x "$dir/postgres" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
postgres_bindir >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-liberation)
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-venv)
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
if [[ -f package.json ]] && ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing system packages (${missing[*]}) and not root: install them with apt-get"
    command -v apt-get >/dev/null 2>&1 || die "missing system packages (${missing[*]}) and no apt-get"
    step "installing system packages: ${missing[*]} (apt-get, may take a few minutes)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get install ${missing[*]} failed"
fi
command -v redis-server >/dev/null 2>&1 || die "redis-server still missing after apt-get"
bindir="$(postgres_bindir)" || die "PostgreSQL server binaries (initdb, postgres) still missing after apt-get"
command -v chromium >/dev/null 2>&1 || die "chromium still missing after apt-get"
command -v firefox-esr >/dev/null 2>&1 || die "firefox-esr still missing after apt-get"
step "system packages present (redis $(redis-server --version | awk '{print $3}' | tr -d v=), PostgreSQL $("$bindir/postgres" --version | awk '{print $3}'), chromium, firefox-esr $(firefox-esr --version 2>/dev/null | awk '{print $3}'))"

# --- 2. virtualenv -----------------------------------------------------------------------
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "python3 is $(python3 --version 2>&1); TickStock needs Python >= 3.11"
if [[ -d .venv ]] && ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
    step ".venv is broken (its Python is gone); recreating it"
    rm -rf .venv
fi
if [[ ! -x .venv/bin/python ]]; then
    step "creating .venv with $(python3 --version)"
    python3 -m venv .venv || die "python3 -m venv .venv failed"
fi

# --- 3. Python packages ------------------------------------------------------------------
[[ -f requirements.lock ]] || die "requirements.lock is missing (make lock writes it)"
stamp=.venv/.tickstock-bootstrap
want="$(cat requirements.lock pyproject.toml <(pwd) <(.venv/bin/python --version) | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]]; then
    step "installing Python packages from requirements.lock (pip)"
    rm -f "$stamp"
    # pip's output goes to a log, shown only when it fails (it is noisy even when all is well)
    log=.venv/pip-install.log
    pip_install() {
        .venv/bin/python -m pip install -q --disable-pip-version-check "$@" >"$log" 2>&1 || {
            tail -n 30 "$log" >&2
            die "pip install $* failed (full log: $log)"
        }
    }
    pip_install -r requirements.lock
    pip_install --no-deps -e .
    echo "$want" >"$stamp"
else
    step "Python packages up to date"
fi

# --- 4. JavaScript packages --------------------------------------------------------------
if [[ -f package.json ]]; then
    [[ -f package-lock.json ]] || die "package.json without package-lock.json: run npm install and commit the lock"
    if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
        step "installing JavaScript packages (npm ci)"
        npm ci --no-audit --no-fund --loglevel=error >/dev/null || die "npm ci failed"
    else
        step "JavaScript packages up to date"
    fi
fi

step "ready"
