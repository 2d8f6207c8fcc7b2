# Makes the Node that Rushline runs on (RUSHLINE_NODE_VERSION, a maintained LTS) the `node` on PATH for the
# rest of the calling script, so npm, npx, tsx, mocha and every process they spawn (process.execPath) use it.
# Debian's own nodejs is too old and a fresh machine may carry an end-of-life Node, so when the `node` on PATH
# is of another major, the official binary is fetched once from the npm registry (the node-linux-<arch>
# package, which npm verifies against the registry's checksum) into a per-user cache shared by every clone.
# Sourced first by scripts/up.sh and scripts/test.sh; safe to run again.
RUSHLINE_NODE_VERSION=26.12.1

ensure_node() {
  local want=$RUSHLINE_NODE_VERSION
  # Any release of the same major will do (node:26 images, a machine that already has it).
  if [[ "$(node --version 2>/dev/null)" == "v${want%%.*}."* ]]; then
    echo "==> node $(node --version) ($(command -v node))"
    return 0
  fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      echo "!! no Node $want binary for $(uname -m) on the npm registry: install Node ${want%%.*} yourself" >&2
      return 1
      ;;
  esac
  local dir=${RUSHLINE_NODE_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/rushline/node-v$want-linux-$arch}
  if [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$want" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "!! npm is needed once to fetch Node $want from the npm registry (apt-get install npm)" >&2
      return 1
    fi
    echo "==> installing node $want into $dir (once; from the npm registry)"
    mkdir -p "$(dirname "$dir")"
    # Unpacked beside its final place and renamed into it, so an interrupted run or two runs at once never
    # leave a half-written Node behind.
    local tmp
    tmp=$(mktemp -d "$dir.XXXXXX")
    if ! (npm pack "node-linux-$arch@$want" --pack-destination "$tmp" --silent --loglevel=error >/dev/null \
      && tar -xzf "$tmp/node-linux-$arch-$want.tgz" -C "$tmp" \
      && [ "$("$tmp/package/bin/node" --version)" = "v$want" ]); then
      rm -rf "$tmp"
      echo "!! could not fetch node-linux-$arch@$want from the npm registry" >&2
      return 1
    fi
    # mv -T refuses a non-empty $dir: another run got there first (keep its copy) or left a broken one.
    if ! mv -T "$tmp/package" "$dir" 2>/dev/null && [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$want" ]; then
      rm -rf "$dir"
      mv -T "$tmp/package" "$dir"
    fi
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  hash -r
  if [ "$(node --version)" != "v$want" ]; then
    echo "!! node on PATH is $(node --version), not v$want" >&2
    return 1
  fi
  echo "==> node $(node --version) ($(command -v node))"
}
