#!/usr/bin/env bash
# Times tolk against Hugo on generated corpora of equal content.
#
#   bash benches/compare.sh [--pages 1000,5000,20000] [--runs 5]
#                           [--languages fr,it,nl,sv] [--seed 42] [--keep]
#                           [--search] [--generator FILE.py]
#
# For each page count N it generates a corpus (examples/gen_corpus.rs) with a
# tolk site and an equivalent Hugo site, then times, R times each:
#   - a build into an empty output folder,
#   - a build over an existing output folder (the previous run's),
#   - `tolk report` (no Hugo counterpart);
#   - one shard of a build sharded by language (`tolk build --lang` with the
#     first language), into an empty folder, against the whole build;
#   - with --search: tolk with `search = true` (pages and index) against
#     Hugo followed by Pagefind's own command line on Hugo's output, each
#     into an empty folder (Pagefind from the Python package index, in a
#     virtual environment under the work folder).
# --generator FILE.py takes the corpus from another generator with the same
# options as the one behind the issues' figures (--pages, --seed, --out,
# --layout neutral|hugo) instead of examples/gen_corpus.rs.
# Wall time and peak RSS come from GNU time (`/usr/bin/time -v`). The summary
# table is printed at the end; every single run is also written as one line
# of benches/results/<date>.tsv. No timed run follows a deletion: outputs
# are deleted only after all timed runs of a size. See benches/README.md.
set -euo pipefail

PAGES="1000,5000,20000"
RUNS=5
LANGUAGES="fr,it,nl,sv"
SEED=42
KEEP=0
SEARCH=0
GENERATOR=""

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
        --keep) KEEP=1; shift ;;
        --search) SEARCH=1; shift ;;
        --generator) GENERATOR="$(realpath "${2:?--generator needs a file}")"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

check_corpus_args

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# --- Tools ------------------------------------------------------------------

missing=()
command -v hugo >/dev/null 2>&1 || missing+=(hugo)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
    install_packages "${missing[@]}"
fi
command -v hugo >/dev/null 2>&1 || die "hugo is still missing after the install"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tolk-bench.XXXXXX")"
if ((SEARCH)); then
    install_pagefind "$WORK"
fi
[[ -x /usr/bin/time ]] || die "/usr/bin/time is still missing after the install"

echo "Building tolk and the corpus generator (release) …"
cargo build --release --quiet --bin tolk --example gen_corpus \
    || die "cargo build --release failed: tolk does not build, nothing was measured"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
TOLK="$TARGET_DIR/release/tolk"
GEN="$TARGET_DIR/release/examples/gen_corpus"
[[ -x "$TOLK" && -x "$GEN" ]] || die "built binaries not found under $TARGET_DIR/release"

# --- Machine and versions ---------------------------------------------------

cpu_model="$(cpu_model)"
mem_total="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
commit="$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
tolk_version="$("$TOLK" --version) (commit $commit)"
hugo_version="$(hugo version 2>/dev/null | head -n1)"
rustc_version="$(rustc --version)"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

echo
echo "Machine: $(nproc) cores, $cpu_model, $mem_total memory, $(uname -sr)"
echo "tolk:    $tolk_version"
echo "hugo:    $hugo_version"
echo "rustc:   $rustc_version"
echo "Load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min averages; other work on the machine skews the times)"
echo "Corpus:  pages $PAGES, languages $LANGUAGES, seed $SEED, generator ${GENERATOR:-examples/gen_corpus.rs}; $RUNS runs per measurement; started $started"
((SEARCH)) && echo "Search:  tolk's built-in Pagefind index against $($PAGEFIND --version 2>/dev/null)"

RESULTS_DIR="$ROOT/benches/results"
mkdir -p "$RESULTS_DIR"
TSV="$RESULTS_DIR/$(date -u +%Y-%m-%dT%H%M%SZ).tsv"
{
    echo "# machine: $(nproc) cores, $cpu_model, $mem_total"
    echo "# tolk: $tolk_version"
    echo "# hugo: $hugo_version"
    echo "# languages: $LANGUAGES; seed: $SEED; runs: $RUNS; started: $started"
    printf 'pages\tfiles\ttool\tmode\trun\twall_s\tcpu_s\tmax_rss_kib\tload1\n'
} >"$TSV"

# fast_rm DIR…: deletes folder trees with parallel unlinks. On some virtual
# disks each unlink waits several milliseconds, and a plain `rm -rf` of a
# 20000-page output takes minutes; none of this is ever timed.
fast_rm() {
    local dir depth
    for dir in "$@"; do
        [[ -e "$dir" ]] || continue
        find "$dir" -type f -print0 | xargs -0 -r -P 8 -n 200 rm -f
        depth=$(find "$dir" -type d -printf '%d\n' | sort -n | tail -n1)
        for ((; depth >= 0; depth--)); do
            find "$dir" -mindepth "$depth" -maxdepth "$depth" -type d -print0 \
                | xargs -0 -r -P 8 -n 200 rmdir 2>/dev/null || true
        done
        rm -rf "$dir"
    done
}

cleanup() {
    local status=$?
    if ((KEEP)) || ((status != 0)); then
        echo "Work folder kept: $WORK" >&2
    else
        fast_rm "$WORK"
    fi
}
trap cleanup EXIT

# --- Measuring --------------------------------------------------------------

# measure TOOL MODE RUN COMMAND…: flushes the file system's dirty pages (so
# that no run pays for writing back the previous one's output), then runs
# COMMAND under GNU time, stops the
# script when it fails, and sets WALL and CPU (user + system, seconds) and
# RSS (KiB).
measure() {
    local tool="$1" mode="$2" run="$3"
    shift 3
    local log="$WORK/time.log" out="$WORK/command.out"
    local start end load status=0
    sync
    load=$(cut -d' ' -f1 /proc/loadavg)
    start=$(date +%s%N)
    /usr/bin/time -v -o "$log" "$@" >"$out" 2>&1 || status=$?
    end=$(date +%s%N)
    if ((status != 0)); then
        echo >&2
        echo "compare.sh: $tool build FAILED ($mode output folder, N=$N, run $run), exit status $status" >&2
        echo "  command: $*" >&2
        echo "  last lines of its output:" >&2
        tail -n 40 "$out" | sed 's/^/    /' >&2
        exit 1
    fi
    WALL=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
    RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
    CPU=$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.3f", t }' "$log")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$N" "$FILES" "$tool" "$mode" "$run" "$WALL" "$CPU" "$RSS" "$load" >>"$TSV"
    printf '%s=%ss ' "$run" "$WALL"
}

# stats "t1 t2 …": prints "min median max".
stats() {
    tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR % 2) median = v[(NR + 1) / 2]
            else median = (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.3f %.3f %.3f", v[1], median, v[NR]
        }'
}

max_of() {
    tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | tail -n1
}

# One row of results per (N, tool, mode), kept for the final table.
ROWS=()

# series TOOL MODE COMMAND-BUILDER: runs the command RUNS times. The builder is
# a function that gets the run number and prepares the output folder.
series() {
    local tool="$1" mode="$2" builder="$3"
    local walls="" cpus="" rsses="" run
    printf '  %-5s %-9s ' "$tool" "$mode"
    for ((run = 1; run <= RUNS; run++)); do
        "$builder" "$run"
        walls+="$WALL "
        cpus+="$CPU "
        rsses+="$RSS "
    done
    echo
    read -r min median max <<<"$(stats "$walls")"
    read -r _ cpu_median _ <<<"$(stats "$cpus")"
    ROWS+=("$N $FILES $tool $mode $min $median $max $cpu_median $(max_of "$rsses")")
}

# Each "empty" run builds into a new folder, and no output is deleted until
# every timed run of this size is over. On ext4 without a journal (the disks
# this was written on), the kernel does not reuse an inode within 60 s of its
# deletion, or 300 s while its inode table block is dirty (which creating
# other files in that block makes it again), and scans past every such inode
# each time it creates a file or folder: creating thousands of files in the
# minutes after deleting thousands is several times slower
# (`recently_deleted` tops a perf profile). That cost would come from the
# script's clean-up, not from the tool timed next, so every size's folders
# are kept (moved aside) until the end.
tolk_empty() {
    measure tolk empty "$1" "$TOLK" build --root "$SITE/tolk" --out "$WORK/empty/tolk-$1"
}
tolk_existing() {
    measure tolk existing "$1" "$TOLK" build --root "$SITE/tolk" --out "$WORK/out-tolk"
}
tolk_shard() {
    measure tolk shard "$1" "$TOLK" build --root "$SITE/tolk" --lang "${LANGUAGES%%,*}" --out "$WORK/empty/tolk-shard-$1"
}
tolk_report() {
    measure tolk report "$1" "$TOLK" report --root "$SITE/tolk" --color never
}
hugo_empty() {
    measure hugo empty "$1" hugo --quiet --source "$SITE/hugo" --destination "$WORK/empty/hugo-$1"
}
hugo_existing() {
    measure hugo existing "$1" hugo --quiet --source "$SITE/hugo" --destination "$WORK/out-hugo"
}
tolk_search() {
    measure tolk search "$1" "$TOLK" build --root "$SITE/tolk-search" --out "$WORK/empty/tolk-search-$1"
}
hugo_search() {
    local out="$WORK/empty/hugo-search-$1"
    measure hugo search "$1" sh -c "hugo --quiet --source '$SITE/hugo' --destination '$out' && $PAGEFIND --site '$out' --silent"
}

for N in "${PAGE_COUNTS[@]}"; do
    ((N > 0)) || die "page counts must be positive"
    SITE="$WORK/corpus-$N"
    echo
    echo "== N=$N: generating the corpus …"
    generate_corpus "$N" "$SITE"

    # Untimed first builds: they check that both sites build, warm the page
    # cache, and leave the output folders that the "existing" runs overwrite.
    echo "   check builds (untimed):"
    "$TOLK" build --root "$SITE/tolk" --out "$WORK/out-tolk" >"$WORK/check.out" 2>&1 || {
        tail -n 40 "$WORK/check.out" >&2
        die "tolk build failed on the N=$N corpus (site kept in $SITE)"
    }
    echo "   tolk: $(tail -n1 "$WORK/check.out")"
    hugo --source "$SITE/hugo" --destination "$WORK/out-hugo" >"$WORK/check.out" 2>&1 || {
        tail -n 40 "$WORK/check.out" >&2
        die "hugo failed on the N=$N corpus (site kept in $SITE)"
    }
    if grep -qE 'WARN|ERROR' "$WORK/check.out"; then
        grep -E 'WARN|ERROR' "$WORK/check.out" | head -n 10 >&2
        die "hugo printed warnings or errors on the N=$N corpus: fix the generated Hugo site"
    fi
    echo "   hugo: $(grep -E '^ *Pages' "$WORK/check.out" | tr -s ' ' | sed 's/^ //') (pages by language: $(echo "$LANGUAGES" | tr ',' ' '))"
    echo "   output: tolk $(find "$WORK/out-tolk" -type f -name '*.html' | wc -l) HTML files, $(du -sh "$WORK/out-tolk" | cut -f1); hugo $(find "$WORK/out-hugo" -type f -name '*.html' | wc -l) HTML files, $(du -sh "$WORK/out-hugo" | cut -f1)"

    # The runs need room for one more copy of each output per empty run, and
    # for tolk's spare folder, plus 1 GiB (earlier sizes' folders are still
    # there, so df already counts them).
    tolk_kib=$(du -sk "$WORK/out-tolk" | cut -f1)
    hugo_kib=$(du -sk "$WORK/out-hugo" | cut -f1)
    free_kib=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
    need_kib=$(((RUNS + 1) * tolk_kib + RUNS * hugo_kib + 1048576))
    if ((free_kib < need_kib)); then
        die "not enough free space in $WORK for N=$N: $((free_kib / 1024)) MiB free, about $((need_kib / 1024)) MiB needed"
    fi
    echo "   timed runs ($FILES content files each; load average now $(cut -d' ' -f1 /proc/loadavg)):"
    series tolk empty tolk_empty
    series hugo empty hugo_empty
    series tolk existing tolk_existing
    series hugo existing hugo_existing
    series tolk report tolk_report
    series tolk shard tolk_shard
    if ((SEARCH)); then
        with_search "$SITE/tolk" "$SITE/tolk-search"
        series tolk search tolk_search
        series hugo search hugo_search
    fi

    # Nothing is deleted before the last size is done (see tolk_empty); the
    # work folder goes at the end.
    mkdir -p "$WORK/done-$N"
    mv "$SITE" "$WORK/empty" "$WORK/out-tolk" "$WORK/out-hugo" "$WORK/done-$N"/
    mv "$WORK"/.out-tolk.tolk-* "$WORK/done-$N"/ 2>/dev/null || true
done

# --- Summary ----------------------------------------------------------------

# median_of N TOOL MODE
median_of() {
    local row
    for row in "${ROWS[@]}"; do
        read -r n _ tool mode _ median _ _ _ <<<"$row"
        if [[ "$n" == "$1" && "$tool" == "$2" && "$mode" == "$3" ]]; then
            echo "$median"
            return
        fi
    done
}

echo
echo "Results ($RUNS runs each. min, median, max: wall time in seconds; cpu: median user + system"
echo "time in seconds; peak RSS: the largest of the runs; pages/s: content files / median wall time;"
echo "tolk/hugo: ratio of the median wall times)"
echo "Machine: $(nproc) cores, $cpu_model, $mem_total; $tolk_version; $hugo_version"
previous=""
for row in "${ROWS[@]}"; do
    read -r n files tool mode min median max cpu rss <<<"$row"
    if [[ "$n" != "$previous" ]]; then
        echo
        echo "N=$n logical pages × {$LANGUAGES} = $files content files"
        printf '%-5s %-9s %8s %8s %8s %8s %11s %8s %9s\n' tool mode min median max cpu "peak RSS" pages/s tolk/hugo
        previous="$n"
    fi
    ratio="-"
    if [[ "$tool" == tolk && "$mode" != report && "$mode" != shard ]]; then
        hugo_median="$(median_of "$n" hugo "$mode")"
        [[ -n "$hugo_median" ]] && ratio=$(awk -v t="$median" -v h="$hugo_median" 'BEGIN { if (h > 0) printf "%.2f", t / h; else print "-" }')
    fi
    rate=$(awk -v f="$files" -v m="$median" 'BEGIN { if (m > 0) printf "%.0f", f / m; else print "-" }')
    rss_mib=$(awk -v k="$rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')
    printf '%-5s %-9s %8s %8s %8s %8s %11s %8s %9s\n' "$tool" "$mode" "$min" "$median" "$max" "$cpu" "$rss_mib" "$rate" "$ratio"
done
echo
for N in "${PAGE_COUNTS[@]}"; do
    shard="$(median_of "$N" tolk shard)"
    whole="$(median_of "$N" tolk empty)"
    awk -v n="$N" -v s="$shard" -v w="$whole" -v l="${LANGUAGES%%,*}" 'BEGIN {
        if (w > 0) printf "N=%s: one shard (--lang %s) / whole build: %.2f\n", n, l, s / w }'
done
echo
echo "Every run: $TSV"
