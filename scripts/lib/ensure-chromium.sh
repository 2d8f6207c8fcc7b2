# Installs Debian's Chromium for the browser tests when it is missing (playwright-core drives it;
# Playwright's own browser download does not work on machines without general internet access).
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "!! /usr/bin/chromium is missing: install Debian's chromium package for the browser tests" >&2
    return 1
  fi
  echo "==> installing chromium (browser tests)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
}
