# Installs Debian's Chromium for the browser tests when it is missing (playwright-core drives it;
# Playwright's own browser download does not work on machines without general internet access), and a
# Korean font (fonts-nanum), without which the Korean pages' screenshots show empty boxes.
ensure_chromium() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -d /usr/share/fonts/truetype/nanum ] || missing+=(fonts-nanum)
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "!! ${missing[*]} missing: install Debian's ${missing[*]} for the browser tests" >&2
    [ -x /usr/bin/chromium ]
    return
  fi
  echo "==> installing ${missing[*]} (browser tests)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
}
