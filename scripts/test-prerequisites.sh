#!/usr/bin/env bash
# Installs what `npm test` needs beyond `npm ci`, where it is missing: Debian packages through
# apt-get (as root, or with sudo), and the optional native `canvas` package that draws PNG charts.
# Elsewhere than Debian or Ubuntu it lists what to install and stops. `.ci/run` runs it too.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the tests rely on, named even where a base system usually has it:
# - dash: app and deploy commands run through /bin/sh; bsdutils: `script`, a pseudo-terminal;
# - chromium: the HTML report is checked in a real browser (driven by playwright-core);
# - nginx: a real blue-green deploy is measured through it;
# - haproxy, socat (its runtime API), caddy, gunicorn, puma, unicorn: the recipes of
#   examples/recipes/ are run against each of them (pm2, the other, is a dev dependency);
# - prometheus: it scrapes `bench run --serve`'s /metrics in a test, and is queried for the count;
# - canvas (PNG charts) builds from source where no prebuilt binary downloads: a compiler,
#   pkg-config, cairo & co., and fonts for readable labels.
DEBIAN_PACKAGES=(
  dash bsdutils chromium nginx
  haproxy socat caddy gunicorn puma unicorn prometheus
  python3 make g++ pkg-config
  libcairo2-dev libpango1.0-dev libgif-dev libjpeg-dev fonts-dejavu-core
)
# Optional peers of the package, so not in package-lock.json: `npm ci` must work without cairo.
PNG_PACKAGES=(canvas@3.2.3 chartjs-node-canvas@5.0.0)

missing_debian_packages() {
  local package
  for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' ||
      echo "$package"
  done
}

if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  mapfile -t missing < <(missing_debian_packages)
  if ((${#missing[@]} > 0)); then
    if [ "$(id -u)" = 0 ]; then
      as_root=()
    elif command -v sudo >/dev/null; then
      as_root=(sudo)
    else
      echo "test-prerequisites: install these Debian packages as root: ${missing[*]}" >&2
      exit 1
    fi
    echo "test-prerequisites: installing ${missing[*]}" >&2
    "${as_root[@]}" apt-get update -qq
    # RUNLEVEL=1: the packages must not start services (nginx would take port 80); tests start their own.
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  absent=()
  for program in chromium nginx haproxy socat caddy gunicorn puma unicorn prometheus script pkg-config make g++ python3; do
    command -v "$program" >/dev/null || absent+=("$program")
  done
  pkg-config --exists cairo pangocairo libjpeg 2>/dev/null || absent+=("cairo, pango, libjpeg and giflib development files")
  if ((${#absent[@]} > 0)); then
    echo "test-prerequisites: not a Debian system; install: ${absent[*]} (chromium at /usr/bin/chromium)" >&2
    exit 1
  fi
fi

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
png_packages_load() {
  node -e "require('canvas'); require('chartjs-node-canvas')" 2>/dev/null
}
if ! png_packages_load; then
  echo "test-prerequisites: installing ${PNG_PACKAGES[*]} (canvas builds from source here)" >&2
  # node-gyp downloads Node's headers unless told where they are: use the running Node's own,
  # where it was installed with them (a closed network cannot download them).
  node_prefix=$(dirname "$(dirname "$(command -v node)")")
  if [ -z "$(npm config get nodedir 2>/dev/null | grep -v '^undefined$' || true)" ] &&
    [ -f "$node_prefix/include/node/node.h" ]; then
    export npm_config_nodedir="$node_prefix"
  fi
  # --save-optional with --no-save: declared as peers in package.json, they would count as
  # installed-when-wanted and npm would install nothing; package.json and the lock stay as they are.
  npm install --no-save --save-optional --no-audit --no-fund "${PNG_PACKAGES[@]}"
  # canvas is installed as optional: npm says nothing when its build fails. Say it here.
  if ! png_packages_load; then
    echo "test-prerequisites: canvas did not build; run \`npm install --no-save --save-optional --foreground-scripts ${PNG_PACKAGES[*]}\` to see why" >&2
    exit 1
  fi
fi
