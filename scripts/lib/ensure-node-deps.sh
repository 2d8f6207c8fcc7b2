# Installs npm packages when node_modules is missing, older than package-lock.json or installed by another
# Node ABI (native add-ons are built per ABI). Sourced by scripts/up.sh and scripts/test.sh after
# ensure_node; safe to run again.
ensure_node_deps() {
  local stamp=node_modules/.rushline-lock-hash
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1) node-abi-$(node -p process.versions.modules)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "==> installing npm packages"
  # `npm install` with the committed lock installs the locked versions. Not `npm ci`: npm 11 leaves
  # other platforms' optional packages (msgpackr-extract's) out of the lock, and `npm ci` then refuses it.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}
