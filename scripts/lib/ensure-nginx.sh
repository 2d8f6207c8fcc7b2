# Installs Debian's nginx when it is missing: the gateway that gives the browser one origin for the web
# app, the api and the waiting room (scripts/gateway/). Never started as a system service: the project
# runs it with a configuration of its own.
ensure_nginx() {
  if [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "!! nginx is missing: install Debian's nginx package (sudo apt-get install nginx)" >&2
    return 1
  fi
  echo "==> installing nginx (the gateway)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; }
}
