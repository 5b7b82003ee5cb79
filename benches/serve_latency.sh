#!/usr/bin/env bash
# Save-to-browser latency of `tolk serve`, against `hugo server` on the same
# site, measured in the same run.
#
#   bash benches/serve_latency.sh [--pages 100,5000] [--runs 10]
#                                 [--languages fr,it,nl,sv] [--seed 42]
#                                 [--poll-ms 2] [--edit text|title]
#                                 [--no-hugo] [--keep]
#
# For each page count N it generates a corpus (examples/gen_corpus.rs),
# copies the repository's themes/ into it, and runs examples/serve_latency.rs
# on it: that starts `tolk serve --port 0 --quiet`, waits for the first
# build, then R times appends a unique marker to one page and times the
# reload event and the served HTML; then the same edits on `hugo server`
# (served HTML only). `--edit title` puts the marker in the page's title
# instead of its text. The table at the end gives min, median and max in
# milliseconds, and tolk/hugo ratios of the medians. See benches/README.md.
set -euo pipefail

PAGES="100,5000"
RUNS=10
LANGUAGES="fr,it,nl,sv"
SEED=42
POLL_MS=2
EDIT=text
HUGO=1
KEEP=0

# shellcheck source=benches/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

while (($#)); do
    case "$1" in
        --pages) PAGES="${2:?--pages needs a value}"; shift 2 ;;
        --pages=*) PAGES="${1#*=}"; shift ;;
        --runs) RUNS="${2:?--runs needs a value}"; shift 2 ;;
        --runs=*) RUNS="${1#*=}"; shift ;;
        --languages) LANGUAGES="${2:?--languages needs a value}"; shift 2 ;;
        --languages=*) LANGUAGES="${1#*=}"; shift ;;
        --seed) SEED="${2:?--seed needs a value}"; shift 2 ;;
        --seed=*) SEED="${1#*=}"; shift ;;
        --poll-ms) POLL_MS="${2:?--poll-ms needs a value}"; shift 2 ;;
        --poll-ms=*) POLL_MS="${1#*=}"; shift ;;
        --edit) EDIT="${2:?--edit needs a value}"; shift 2 ;;
        --edit=*) EDIT="${1#*=}"; shift ;;
        --no-hugo) HUGO=0; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[[ "$POLL_MS" =~ ^[0-9]+$ ]] || die "--poll-ms wants a number, got '$POLL_MS'"
[[ "$EDIT" == text || "$EDIT" == title ]] || die "--edit wants text or title, got '$EDIT'"
check_corpus_args

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ((HUGO)) && ! command -v hugo >/dev/null 2>&1; then
    install_packages hugo
fi

echo "Building tolk, the corpus generator and the latency probe (release) …"
cargo build --release --quiet --bin tolk --example gen_corpus --example serve_latency \
    || die "cargo build --release failed: nothing was measured"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
TOLK="$TARGET_DIR/release/tolk"
GEN="$TARGET_DIR/release/examples/gen_corpus"
PROBE="$TARGET_DIR/release/examples/serve_latency"
[[ -x "$TOLK" && -x "$GEN" && -x "$PROBE" ]] || die "built binaries not found under $TARGET_DIR/release"

cpu_model="$(cpu_model)"
commit="$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
echo
echo "Machine: $(nproc) cores, $cpu_model, $(uname -sr)"
echo "tolk:    $("$TOLK" --version) (commit $commit)"
((HUGO)) && echo "hugo:    $(hugo version 2>/dev/null | head -n1)"
echo "Load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min averages)"
echo "Corpus:  pages $PAGES, languages $LANGUAGES, seed $SEED; $RUNS $EDIT edits per server; polling every $POLL_MS ms"

WORK="$(mktemp -d -t tolk-latency.XXXXXX)"
cleanup() {
    local status=$?
    if ((KEEP)) || ((status != 0)); then
        echo "Work folder kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

hugo_flag=()
((HUGO)) && hugo_flag=(--hugo)
RESULTS=()
for N in "${PAGE_COUNTS[@]}"; do
    ((N > 0)) || die "page counts must be positive"
    SITE="$WORK/corpus-$N"
    echo
    echo "== N=$N: generating the corpus …"
    generate_corpus "$N" "$SITE"
    echo "   load average now $(cut -d' ' -f1 /proc/loadavg)"
    "$PROBE" --site "$SITE" --tolk "$TOLK" --runs "$RUNS" --poll-ms "$POLL_MS" --edit "$EDIT" "${hugo_flag[@]}" \
        | tee "$WORK/probe.out" | sed 's/^/   /' \
        || die "the latency probe failed for N=$N (corpus kept in $SITE)"
    while read -r _ tool measure runs min median max; do
        RESULTS+=("$N $FILES $tool $measure $runs $min $median $max")
    done < <(grep '^RESULT ' "$WORK/probe.out")
    ((KEEP)) || rm -rf "$SITE"
done

median_of() {
    local row
    for row in "${RESULTS[@]}"; do
        read -r n _ tool measure _ _ median _ <<<"$row"
        if [[ "$n" == "$1" && "$tool" == "$2" && "$measure" == "$3" ]]; then
            echo "$median"
            return
        fi
    done
}

echo
echo "Results (milliseconds from the write of the page to: event = tolk's reload event;"
echo "browser = the GET sent on that event has returned the new page; poll = a GET repeated"
echo "every $POLL_MS ms returns the new page. tolk/hugo: ratio of the poll medians)"
previous=""
for row in "${RESULTS[@]}"; do
    read -r n files tool measure runs min median max <<<"$row"
    if [[ "$n" != "$previous" ]]; then
        echo
        echo "N=$n logical pages × {$LANGUAGES} = $files content files"
        printf '%-5s %-8s %5s %9s %9s %9s %9s\n' tool measure runs min median max tolk/hugo
        previous="$n"
    fi
    ratio="-"
    hugo_median="$(median_of "$n" hugo poll)"
    if [[ "$tool" == tolk && -n "$hugo_median" ]]; then
        ratio=$(awk -v t="$median" -v h="$hugo_median" 'BEGIN { if (h > 0) printf "%.2f", t / h; else print "-" }')
    fi
    printf '%-5s %-8s %5s %9s %9s %9s %9s\n' "$tool" "$measure" "$runs" "$min" "$median" "$max" "$ratio"
done
