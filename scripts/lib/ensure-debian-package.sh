# The one way the ensure-*.sh scripts install a missing Debian package (sourced by them, not by their callers).

# True when this machine can install Debian packages itself: apt-get is there and we are root (CI's Debian
# machines). Elsewhere the scripts say what to install instead.
can_install_debian_packages() {
  command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]
}

# install_debian_packages WHAT PACKAGE...: installs the packages (no recommends, quietly), or says what is
# missing and returns 1 where it cannot install. WHAT says what they are for, in the messages. A failed
# install is tried once more after `apt-get update`: a fresh machine's package lists may be empty or stale.
install_debian_packages() {
  local what=$1
  shift
  if ! can_install_debian_packages; then
    echo "!! $* missing: install Debian's $* package(s) for $what (sudo apt-get install $*)" >&2
    return 1
  fi
  echo "==> installing $* ($what)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}
