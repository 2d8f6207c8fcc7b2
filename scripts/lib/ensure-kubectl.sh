source "$(dirname "${BASH_SOURCE[0]}")/ensure-debian-package.sh"

# Installs kubectl from Debian's kubernetes-client package when it is missing: the tests render the
# Kubernetes manifests (deploy/k8s/) with `kubectl kustomize`, which needs no cluster. Debian 12 ships
# kubectl 1.20 (kustomize v2.0.3), so the manifests keep to what that kustomize reads (ADR 021).
ensure_kubectl() {
  if command -v kubectl >/dev/null 2>&1; then
    return 0
  fi
  install_debian_packages "the Kubernetes manifest tests" kubernetes-client
}
