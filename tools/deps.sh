#!/usr/bin/env bash
# Install the Debian packages morgue needs, but only those that are missing.
# Called by `make deps` (and so by every target that builds); safe to rerun.
set -euo pipefail
PKGS=(build-essential pkg-config clang libclang-rt-14-dev
      libxapian-dev xapian-tools libstemmer-dev zlib1g-dev libdeflate-dev libisal-dev
      libutf8proc-dev libjansson-dev libgumbo-dev libmicrohttpd-dev
      libsqlite3-dev libcmocka-dev)
missing=()
for p in "${PKGS[@]}" "$@"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$st" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
