#!/usr/bin/env bash
# Times `tolk report` on a generated site whose source language has a git
# history, against the same site without one, in one run.
#
#   bash benches/report_history.sh [--pages N] [--runs R] [--keep]
#
# The corpus comes from examples/gen_corpus.rs with English as the source
# (en, fr, it, nl, sv). The history: the English pages committed, every
# translation set to name that commit, then commits that change the text of
# 5 % of the English pages, change only metadata (a new front matter key,
# blank lines) of another 5 %, and rename 1 %. So the report reads one log,
# resolves a revision per translation, follows renames and reads the older
# text of every source page that changed since. Needs git and hyperfine
# (installed from Debian's packages when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PAGES=5000
RUNS=5
KEEP=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pages) PAGES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --keep) KEEP=true; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done
# shellcheck source=benches/lib.sh
source benches/lib.sh
command -v hyperfine >/dev/null || install_packages hyperfine
command -v git >/dev/null || install_packages git

cargo build --release --quiet --bin tolk --example gen_corpus
TOLK=$ROOT/target/release/tolk
GEN=$ROOT/target/release/examples/gen_corpus
WORK=$(mktemp -d)
$KEEP || trap 'rm -rf "$WORK"' EXIT

"$GEN" --pages "$PAGES" --languages en,fr,it,nl,sv --out "$WORK/corpus" >/dev/null
SITE=$WORK/corpus/tolk
cp -R themes "$SITE/themes"
cp -R "$SITE" "$WORK/no-history"

at() { GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" GIT_AUTHOR_NAME=bench \
  GIT_AUTHOR_EMAIL=bench@example.org GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@example.org git -C "$SITE" "${@:2}"; }
at 2026-01-01T00:00:00Z init -q
at 2026-01-01T00:00:00Z add content/en tolk.toml
at 2026-01-01T00:00:00Z commit -qm "English pages"
SOURCE=$(git -C "$SITE" rev-parse HEAD)
find "$SITE/content" -path "$SITE/content/en" -prune -o -name '*.md' -print0 \
  | xargs -0 sed -i "s/^source-git-commit: .*/source-git-commit: $SOURCE/"
at 2026-01-02T00:00:00Z add -A content
at 2026-01-02T00:00:00Z commit -qm "Translations"

mapfile -t EN < <(cd "$SITE" && find content/en -name '*.md' | sort)
count=${#EN[@]}
for ((i = 0; i < count; i += 20)); do
  printf '\nA sentence added to the source.\n' >> "$SITE/${EN[i]}"
done
at 2026-02-01T00:00:00Z commit -qam "Text of 5 % of the pages"
for ((i = 10; i < count; i += 20)); do
  sed -i '0,/^title:/s//feature: Bench\ntitle:/' "$SITE/${EN[i]}"
done
at 2026-02-02T00:00:00Z commit -qam "Metadata of 5 % of the pages"
for ((i = 5; i < count; i += 100)); do
  at 2026-02-03T00:00:00Z mv "${EN[i]}" "${EN[i]%.md}-renamed.md"
done
at 2026-02-03T00:00:00Z commit -qam "Rename 1 % of the pages"

echo "tolk report at $PAGES logical pages ($(find "$SITE/content" -name '*.md' | wc -l) files), $(git -C "$SITE" rev-list --count HEAD) commits; $(cpu_model), $(nproc) cores"
"$TOLK" report --root "$SITE" --format json > "$WORK/report.json"
python3 - "$WORK/report.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
print(f"  with history: {t['stale']} stale, {t['up_to_date']} up to date (sources included), {t['unknown']} unknown")
PY
hyperfine --runs "$RUNS" --warmup 1 --style basic \
  -n "report with history" "$TOLK report --root $SITE --format json" \
  -n "report without history" "$TOLK report --root $WORK/no-history --format json"
