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
# FILES to its number of content files. With GENERATOR set (a Python
# generator taking --pages, --seed, --out and --layout neutral|hugo, such
# as the one the issues' figures come from), that one writes both sites and
# tolk.toml is written here for LANGUAGES.
generate_corpus() {
    local n="$1" site="$2"
    if [[ -n "${GENERATOR:-}" ]]; then
        python3 "$GENERATOR" --pages "$n" --seed "$SEED" --out "$site/tolk" --layout neutral | sed 's/^/   /' \
            || die "$GENERATOR failed for N=$n (neutral layout)"
        python3 "$GENERATOR" --pages "$n" --seed "$SEED" --out "$site/hugo" --layout hugo | sed 's/^/   /' \
            || die "$GENERATOR failed for N=$n (hugo layout)"
        write_tolk_config "$site/tolk/tolk.toml"
    else
        "$GEN" --pages "$n" --languages "$LANGUAGES" --seed "$SEED" --out "$site" | sed 's/^/   /' \
            || die "the corpus generator failed for N=$n"
    fi
    cp -R "$ROOT/themes" "$site/tolk/themes"
    FILES=$(find "$site/tolk/content" -type f -name '*.md' | wc -l)
}

# write_tolk_config FILE: a tolk.toml for a generated site in LANGUAGES.
write_tolk_config() {
    {
        echo 'title = "Commerce documentation"'
        echo 'base_url = "https://docs.example.org/"'
        echo 'source_language = "en"'
        local tag
        for tag in ${LANGUAGES//,/ }; do
            printf '\n[[languages]]\ntag = "%s"\n' "$tag"
        done
    } >"$1"
}

# with_search SITE COPY: a copy of the tolk site SITE with `search = true`.
with_search() {
    cp -R "$1" "$2"
    { echo "search = true"; cat "$1/tolk.toml"; } >"$2/tolk.toml"
}

# install_pagefind DIR: Pagefind's own command line, from the Python package
# index (`pagefind-bin`), into a virtual environment in DIR; sets PAGEFIND
# to the command that runs it.
install_pagefind() {
    local venv="$1/pagefind-venv"
    if [[ ! -x "$venv/bin/python" ]]; then
        python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
        "$venv/bin/pip" install --quiet "pagefind-bin==${PAGEFIND_VERSION:-1.5.2}" \
            || die "pip install pagefind-bin failed"
    fi
    PAGEFIND="$venv/bin/python -m pagefind_bin"
}
