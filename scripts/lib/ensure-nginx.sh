source "$(dirname "${BASH_SOURCE[0]}")/ensure-debian-package.sh"

# Installs Debian's nginx when it is missing: the gateway that gives the browser one origin for the web
# app, the api and the waiting room (scripts/gateway/). Never started as a system service: the project
# runs it with a configuration of its own.
ensure_nginx() {
  if [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; then
    return 0
  fi
  install_debian_packages "the gateway" nginx
}
