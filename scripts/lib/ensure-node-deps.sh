# Installs npm packages when node_modules is missing or older than package-lock.json.
# Sourced by scripts/up.sh and scripts/test.sh; safe to run again.
ensure_node_deps() {
  local stamp=node_modules/.rushline-lock-hash
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "==> installing npm packages"
  # `npm install` with the committed lock installs the locked versions. Not `npm ci`: npm 11 leaves
  # other platforms' optional packages (msgpackr-extract's) out of the lock, and `npm ci` then refuses it.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}
