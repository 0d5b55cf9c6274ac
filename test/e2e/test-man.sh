#!/bin/bash
# The man pages (docs/man/*.scd, built with scdoc): every expected page is built and
# installed under share/man/manN, renders with man-db without a single warning, has the
# usual sections, and every stas page it refers to exists. Needs man-db (man).
. "$(dirname "$0")/lib.sh"

: "${STAS_BUILD_DIR:?run through ctest}"
if ! command -v man >/dev/null; then
    fail "man is installed (Debian package man-db)"; finish; exit 1
fi
MAN=$STAS_BUILD_DIR/docs/man
PAGES="stas.8 stafd.8 stacd.8 stafd.service.8 stacd.service.8 stas-config.target.8 \
stas-config@.service.8 stafctl.1 stacctl.1 stasadm.1 stafd.conf.5 stacd.conf.5 \
sys.conf.5 org.nvmexpress.staf.5 org.nvmexpress.stac.5 nvme-stas.7"

DATADIR=$(sed -n 's/^STAS_DATADIR:[A-Z]*=//p' "$STAS_BUILD_DIR/CMakeCache.txt")
DEST=$E2E_TMP/dest
run env DESTDIR="$DEST" cmake --install "$STAS_BUILD_DIR"
expect_eq "cmake --install into a DESTDIR succeeds" 0 "$RC"

for p in $PAGES; do
    f=$MAN/$p
    if [ ! -s "$f" ]; then fail "$p is built"; continue; fi
    sec=${p##*.}
    if cmp -s "$f" "$DEST$DATADIR/man/man$sec/$p"; then pass "$p installed in man$sec"
    else fail "$p installed in man$sec"; fi
    # warnings of groff/man-db (bad macros, unbreakable lines, ...) go to stderr
    warn=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$f" 2>&1 >/dev/null)
    expect_eq "$p renders without warnings" "" "$warn"
    text=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$f" 2>/dev/null)
    name=${p%.*}
    expect_match "$p: NAME section names $name" "^ +$name - " "$text"
    expect_match "$p: title is $name($sec)" "^$name\($sec\) " "$text"
    expect_match "$p: has SEE ALSO" "^SEE ALSO" "$text"
    expect_nomatch "$p: no unconfigured @VARIABLE@" "@[A-Z_]+@" "$text"
done
# nothing built that is not expected (a new page must be added above)
for f in "$MAN"/*.[1-8]; do
    case " $PAGES " in *" ${f##*/} "*) ;; *) fail "unexpected page ${f##*/}" ;; esac
done

# references to stas pages resolve to shipped pages
refs=$(grep -ohE '\*(st[a-z.@-]+|sys\.conf|org\.nvmexpress\.sta[fc]|nvme-stas)\*\([1-8]\)' \
    "$STAS_SRC_DIR"/docs/man/*.scd | tr -d '*' | sed 's/(\([1-8]\))/.\1/' | sort -u)
for r in $refs; do
    case " $PAGES " in *" $r "*) pass "reference $r resolves" ;; *) fail "reference $r resolves" ;; esac
done

# the pages state the version and the configured paths
text=$(MANWIDTH=80 man -l "$MAN/stafd.8" 2>/dev/null)
version=$("$STAS_BUILD_DIR/stas" --version | sed -n 's/^stas \([^ ]*\) .*/\1/p')
expect_match "stafd(8) footer shows stas $version" "^stas $version " "$text"
finish
