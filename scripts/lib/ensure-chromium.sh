source "$(dirname "${BASH_SOURCE[0]}")/ensure-debian-package.sh"

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
  if ! can_install_debian_packages; then
    echo "!! ${missing[*]} missing: install Debian's ${missing[*]} for the browser tests" >&2
    # The font alone is no reason to stop: the pages only look wrong in Korean screenshots.
    [ -x /usr/bin/chromium ]
    return
  fi
  install_debian_packages "the browser tests" "${missing[@]}"
}
