# Shared by the benchmark scripts (compare.sh, serve_latency.sh); sourced,
# not run. The caller sets PAGES, RUNS, LANGUAGES and SEED before using
# check_corpus_args, and ROOT and GEN before generate_corpus.

# usage: prints the script's leading comment block (its help).
usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

# die MESSAGE…: stops the script, naming it.
die() {
    echo >&2
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# check_corpus_args: validates the options both scripts share and sets
# PAGE_COUNTS from PAGES.
check_corpus_args() {
    [[ "$PAGES" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--pages wants numbers separated by commas, got '$PAGES'"
    [[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, got '$RUNS'"
    [[ "$SEED" =~ ^[0-9]+$ ]] || die "--seed wants a number, got '$SEED'"
    [[ "$LANGUAGES" =~ ^[A-Za-z0-9-]+(,[A-Za-z0-9-]+)*$ ]] || die "--languages wants tags separated by commas, got '$LANGUAGES'"
    IFS=, read -r -a PAGE_COUNTS <<<"$PAGES"
}

# install_packages PACKAGE…: installs Debian packages with apt-get, as root
# or through sudo.
install_packages() {
    echo "Installing $* from Debian's packages …"
    local sudo=""
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "$* missing and not root: install them (apt-get install $*)"
        sudo=sudo
    fi
    $sudo apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
        || die "apt-get install $* failed"
}

# cpu_model: the processor's name, as /proc/cpuinfo gives it.
cpu_model() {
    local model
    model="$(grep -m1 -E '^(model name|Model|cpu model)' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
    echo "${model:-unknown CPU}"
}

# generate_corpus N SITE: writes the N-page corpus into SITE (a tolk and a
# Hugo site), copies the repository's themes into the tolk site, and sets
# FILES to its number of content files.
generate_corpus() {
    local n="$1" site="$2"
    "$GEN" --pages "$n" --languages "$LANGUAGES" --seed "$SEED" --out "$site" | sed 's/^/   /' \
        || die "the corpus generator failed for N=$n"
    cp -R "$ROOT/themes" "$site/tolk/themes"
    FILES=$(find "$site/tolk/content" -type f -name '*.md' | wc -l)
}
