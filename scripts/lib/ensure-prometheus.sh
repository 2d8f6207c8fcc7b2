# Installs Debian's prometheus package when it is missing: the test of the Grafana dashboards and alert
# rules runs a real Prometheus (and promtool) against the three apps. Never started as a system
# service: the tests and `npm run services -- --prometheus` run it with a configuration of their own.
ensure_prometheus() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "!! prometheus is missing: install Debian's prometheus package (sudo apt-get install prometheus)" >&2
    return 1
  fi
  echo "==> installing prometheus (metrics tests)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
}
