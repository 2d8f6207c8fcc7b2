source "$(dirname "${BASH_SOURCE[0]}")/ensure-debian-package.sh"

# Installs Debian's prometheus package when it is missing: the test of the Grafana dashboards and alert
# rules runs a real Prometheus (and promtool) against the three apps. Never started as a system
# service: the tests and `npm run services -- --prometheus` run it with a configuration of their own.
ensure_prometheus() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    return 0
  fi
  install_debian_packages "the metrics tests" prometheus
}
