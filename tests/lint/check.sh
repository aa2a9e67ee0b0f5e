#!/bin/sh
# tests/lint/check.sh: the layout rules of ../shared/DESIGN.md that a
# compiler does not check. Prints each breach and exits 1 if any:
#   - an #include that points up: util <- oci <- kernel <- runtime <- engine
#     <- cli (each folder may include its own and those to its left; the
#     fetch and net helpers and vm: util, oci and kernel);
#   - cli/ including an engine header other than engine/engine.h (the
#     engine's one public header), or any kernel header;
#   - a file outside runtime/ including a runtime header other than
#     runtime/runtime.h (the runtime's one public header);
#   - a source file over 800 lines;
#   - a function over 120 lines (from a line "{" at column 0 to "}").
cd "$(dirname "$0")/../.." || exit 2
bad=0
rank() {
    case $1 in
    util) echo 0 ;; oci) echo 1 ;; kernel) echo 2 ;; runtime) echo 3 ;; engine) echo 4 ;;
    cli) echo 5 ;; fetch | net | vm) echo 3 ;; *) echo 9 ;;
    esac
}
for f in $(git ls-files 'src/*.c' 'src/*.h'); do
    dir=$(echo "$f" | cut -d/ -f2)
    mine=$(rank "$dir")
    for inc in $(sed -n 's|^#include "\(\.\./\)\{1,\}\([a-z]*\)/.*|\2|p' "$f" | sort -u); do
        if [ "$(rank "$inc")" -gt "$mine" ] || { { [ "$dir" = fetch ] || [ "$dir" = net ] || [ "$dir" = vm ]; } && [ "$inc" != util ] &&
            [ "$inc" != oci ] && [ "$inc" != kernel ]; }; then
            echo "$f: includes from $inc/, a layer above $dir/"
            bad=1
        fi
    done
    if [ "$dir" = cli ] && grep -q '^#include "\.\./kernel/' "$f"; then
        echo "$f: includes a kernel header: cli/ reaches the kernel through engine.h or runtime.h"
        bad=1
    fi
    if [ "$dir" = cli ] && grep -q '^#include "\.\./engine/' "$f" &&
        grep '^#include "\.\./engine/' "$f" | grep -qv '"\.\./engine/engine\.h"'; then
        echo "$f: includes an engine header other than engine/engine.h"
        bad=1
    fi
    if [ "$dir" != runtime ] &&
        sed -n 's|^#include "\(\.\./\)*runtime/\([^"]*\)".*|\2|p' "$f" | grep -qvx 'runtime\.h'; then
        echo "$f: includes a runtime header other than runtime/runtime.h"
        bad=1
    fi
    n=$(wc -l < "$f")
    if [ "$n" -gt 800 ]; then
        echo "$f: $n lines (at most 800)"
        bad=1
    fi
    awk -v f="$f" '
        /^\{/ { start = NR; name = prev }
        /^\}/ && start { if (NR - start > 120) { print f ":" start ": " name " is " NR - start " lines (at most 120)"; bad = 1 } start = 0 }
        { prev = $0 }
        END { exit bad }' "$f" || bad=1
done
exit $bad
