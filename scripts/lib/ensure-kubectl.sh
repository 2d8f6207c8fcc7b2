# Installs kubectl from Debian's kubernetes-client package when it is missing: the tests render the
# Kubernetes manifests (deploy/k8s/) with `kubectl kustomize`, which needs no cluster. Debian 12 ships
# kubectl 1.20 (kustomize v2.0.3), so the manifests keep to what that kustomize reads (ADR 021).
ensure_kubectl() {
  if command -v kubectl >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "!! kubectl is missing: install Debian's kubernetes-client package (sudo apt-get install kubernetes-client)" >&2
    return 1
  fi
  echo "==> installing kubectl (Kubernetes manifest tests)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null; }
}
