#!/usr/bin/env bash
# install-check.sh (run by 'make install-check', hence by 'make test'):
# installs nxpop3 into a temporary DESTDIR over a prefix that already holds
# other software, then, using the installed files only:
#   - builds cexamples/demo.c four ways: pkg-config with the static archive,
#     pkg-config with the shared library (found at run time by its SONAME),
#     CMake find_package with nxpop3::nxpop3 shared and static, and
#     cexamples/legacy_demo.c (ThreadX-shaped) with the shared library,
#     and runs each against a pop3testd started for it;
#   - checks the version is one value: header macros, the library's
#     nx_pop3_client_version_get, pkg-config, the SONAME and file name, CMake;
#   - checks the shared library exports exactly the functions the installed
#     headers declare (the application's tx_application_define aside), each
#     under the symbol version NXPOP3_0, and nothing else;
# then runs 'make uninstall' and requires the prefix to be as it was.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
MAKE=${MAKE:-make}
CC=${CC:-gcc}
CFLAGS=${CFLAGS:--std=c99 -Wall -Wextra -Werror -O2}

fail() {
	echo "install-check: FAIL: $*" >&2
	exit 1
}
for tool in pkg-config cmake readelf nm; do
	command -v "$tool" >/dev/null || fail "$tool is missing: run 'sudo make test-deps'"
done

tmp=$(mktemp -d)
server=
cleanup() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

dest=$tmp/root
prefix=/usr/local
p=$dest$prefix

# A prefix as a real system has it: the shared directories exist and hold
# other packages' files, which install and uninstall must leave alone.
mkdir -p "$p/bin" "$p/include" "$p/lib/pkgconfig" "$p/lib/cmake/other" "$p/share/man/man1"
echo '#!/bin/sh' >"$p/bin/other-tool" && chmod 755 "$p/bin/other-tool"
echo '/* other */' >"$p/include/other.h"
echo 'other archive' >"$p/lib/libother.a"
printf 'Name: other\nVersion: 1\nDescription: other\n' >"$p/lib/pkgconfig/other.pc"
echo '# other' >"$p/lib/cmake/other/other-config.cmake"
echo '.TH OTHER 1' >"$p/share/man/man1/other.1"
snapshot() {
	(cd "$dest" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
snapshot >"$tmp/before"

"$MAKE" --no-print-directory install DESTDIR="$dest" PREFIX="$prefix" >"$tmp/install.log" 2>&1 ||
	fail "make install: $(cat "$tmp/install.log")"

# The version, from the installed header: the one place it is set.
macro() { sed -n "s/^#define NXPOP3_VERSION_$1  *\([0-9][0-9]*\)\$/\1/p" "$p/include/nxpop3/nx_pop3_client.h"; }
major=$(macro MAJOR) minor=$(macro MINOR) patch=$(macro PATCH)
version=$major.$minor.$patch
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "no version in the installed header: '$version'"
soname=libnxpop3.so.$major

# The layout.
for f in bin/pop3fetch lib/libnxpop3.a "lib/libnxpop3.so.$version" lib/pkgconfig/nxpop3.pc \
	lib/cmake/nxpop3/nxpop3-config.cmake lib/cmake/nxpop3/nxpop3-config-version.cmake; do
	[ -f "$p/$f" ] && [ ! -L "$p/$f" ] || fail "$prefix/$f not installed as a file"
done
for h in include/*.h; do
	cmp -s "$h" "$p/include/nxpop3/$(basename "$h")" || fail "$h not installed in $prefix/include/nxpop3"
done
[ "$(readlink "$p/lib/libnxpop3.so")" = "$soname" ] || fail "libnxpop3.so does not point to $soname"
[ "$(readlink "$p/lib/$soname")" = "libnxpop3.so.$version" ] || fail "$soname does not point to libnxpop3.so.$version"
[ -x "$p/bin/pop3fetch" ] || fail "pop3fetch is not executable"
got=$(readelf -d "$p/lib/libnxpop3.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$got" = "$soname" ] || fail "SONAME is '$got', want $soname"
# Installed text names installed paths only: neither the source tree nor
# the staging directory.
if grep -rlF -e "$root" -e "$dest" "$p/lib/pkgconfig/nxpop3.pc" "$p/lib/cmake/nxpop3" "$p/include/nxpop3"; then
	fail "installed files above name the build tree or DESTDIR"
fi

# pkg-config reads the staged tree as the system would read the prefix.
export PKG_CONFIG_LIBDIR=$p/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
unset PKG_CONFIG_PATH
got=$(pkg-config --modversion nxpop3)
[ "$got" = "$version" ] || fail "pkg-config says version $got, the header $version"
grep -qx "prefix=$prefix" "$p/lib/pkgconfig/nxpop3.pc" || fail "nxpop3.pc's prefix is not $prefix"
pkg-config --static --libs nxpop3 | grep -- '-lpthread' >/dev/null || fail "Libs.private lacks -lpthread"

# Only the installed files: the sources are copied out of the tree.
work=$tmp/work
mkdir -p "$work"
cp cexamples/demo.c cexamples/legacy_demo.c "$work/"
cat >"$work/version.c" <<'EOF'
#include <stdio.h>
#include "nx_api.h"
#include "nx_pop3_client.h"
int main(void)
{
    UINT major, minor, patch;
    if (nx_pop3_client_version_get(&major, &minor, &patch) != NX_SUCCESS)
        return 1;
    printf("%u.%u.%u %s\n", major, minor, patch, NXPOP3_VERSION_STRING);
    return 0;
}
EOF
cd "$work"
# shellcheck disable=SC2046,SC2086 # the flags are words
{
	$CC $CFLAGS demo.c $(pkg-config --cflags nxpop3) -Wl,-Bstatic $(pkg-config --static --libs nxpop3) -Wl,-Bdynamic -o demo-static
	$CC $CFLAGS demo.c $(pkg-config --cflags --libs nxpop3) -o demo-shared
	$CC $CFLAGS legacy_demo.c $(pkg-config --cflags --libs nxpop3) -o legacy_demo-shared
	$CC $CFLAGS version.c $(pkg-config --cflags --libs nxpop3) -o version-shared
} || fail "a pkg-config build failed"
cd "$root"

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
needed "$work/demo-static" | grep nxpop3 >/dev/null && fail "demo-static needs a shared nxpop3"
nm "$work/demo-static" | grep ' T nx_pop3_client_create$' >/dev/null || fail "demo-static lacks the archive's code"
needed "$work/demo-shared" | grep -x "$soname" >/dev/null || fail "demo-shared does not need $soname: $(needed "$work/demo-shared")"
# The runtime linker finds the SONAME in the installed lib directory.
export LD_LIBRARY_PATH=$p/lib
ldd "$work/demo-shared" | grep "$soname => $p/lib/$soname" >/dev/null || fail "the runtime linker does not find $soname: $(ldd "$work/demo-shared")"
got=$("$work/version-shared") || fail "version-shared failed"
[ "$got" = "$version $version" ] || fail "the library and header say '$got', want '$version $version'"

# CMake, both flavours; the configure step must take the staged package.
for flavour in shared static; do
	use_static=OFF
	[ "$flavour" = static ] && use_static=ON
	b=$tmp/cmake-$flavour
	cmake -S build/dist/cmake-demo -B "$b" -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
		-DCMAKE_PREFIX_PATH="$p" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
		-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF -DNXPOP3_USE_STATIC_LIBS=$use_static \
		-DDEMO_SOURCE="$work/demo.c" >"$b.log" 2>&1 || fail "cmake configure ($flavour): $(cat "$b.log")"
	grep -qF -- "-- nxpop3 $version from $p/lib/cmake/nxpop3" "$b.log" ||
		fail "cmake ($flavour) did not take nxpop3 $version from the staged prefix: $(cat "$b.log")"
	cmake --build "$b" >>"$b.log" 2>&1 || fail "cmake build ($flavour): $(cat "$b.log")"
	if [ "$flavour" = shared ]; then
		needed "$b/demo" | grep -x "$soname" >/dev/null || fail "CMake shared demo does not need $soname"
	else
		needed "$b/demo" | grep nxpop3 >/dev/null && fail "CMake static demo needs a shared nxpop3"
	fi
done
# A version the package cannot meet is refused; its own is taken.
mkdir -p "$tmp/want"
cat >"$tmp/want/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.13)
project(want C)
find_package(nxpop3 $((major + 1)).0 CONFIG QUIET)
if(nxpop3_FOUND)
  message(FATAL_ERROR "nxpop3 $version accepted for $((major + 1)).0")
endif()
find_package(nxpop3 $version EXACT CONFIG REQUIRED)
EOF
cmake -S "$tmp/want" -B "$tmp/want/b" -DCMAKE_C_COMPILER="$CC" -DCMAKE_PREFIX_PATH="$p" >"$tmp/want.log" 2>&1 ||
	fail "CMake version check: $(cat "$tmp/want.log")"

# Each build against a pop3testd of its own: the demo deletes what it reads.
# A third argument "redirect" also sets NXPOP3_CONNECT_TO, for programs
# whose server address is fixed.
run_demo() {
	local name=$1 bin=$2 redirect=${3:-} out addr i vars
	build/bin/pop3testd -demo >"$tmp/pop3testd.out" 2>&1 &
	server=$!
	for i in $(seq 50); do
		grep -q LISTENING "$tmp/pop3testd.out" && break
		sleep 0.1
	done
	addr=$(sed -n 's/^LISTENING //p' "$tmp/pop3testd.out")
	[ -n "$addr" ] || fail "pop3testd did not start: $(cat "$tmp/pop3testd.out")"
	vars=(POP3_SERVER="$addr" POP3_USER=demo POP3_PASSWORD=secret POP3_DELETE=1)
	if [ "$redirect" = redirect ]; then
		vars+=(NXPOP3_CONNECT_TO="$addr")
	fi
	out=$(env "${vars[@]}" timeout 60 "$bin" 2>&1) ||
		fail "$name: exit status $?: $out"
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	server=
	for want in 'Subject: Hello' 'Subject: Dots' 'Subject: Short' '--- done'; do
		grep -qF -- "$want" <<<"$out" || fail "$name: no '$want' in: $out"
	done
	echo "install-check: $name: ok"
}
run_demo "pkg-config static" "$work/demo-static"
run_demo "pkg-config shared" "$work/demo-shared"
run_demo "CMake shared" "$tmp/cmake-shared/demo"
run_demo "CMake static" "$tmp/cmake-static/demo"
# A ThreadX-shaped application (its tx_application_define called by the
# shared library's tx_kernel_enter) with its server address redirected.
run_demo "legacy_demo, pkg-config shared" "$work/legacy_demo-shared" redirect
unset LD_LIBRARY_PATH

# The dynamic symbol table: the version node, then only functions the
# installed headers declare, each under NXPOP3_0; and every declared
# function but the application's own is there.
lib=$p/lib/libnxpop3.so.$version
nm -D --defined-only "$lib" >"$tmp/dynsym"
grep -q ' A NXPOP3_0$' "$tmp/dynsym" || fail "no symbol version NXPOP3_0"
awk '$2 != "A" { print $3 }' "$tmp/dynsym" >"$tmp/exported-raw"
grep -v '@@NXPOP3_0$' "$tmp/exported-raw" && fail "the exports above lack the symbol version NXPOP3_0"
sed 's/@@NXPOP3_0$//' "$tmp/exported-raw" | LC_ALL=C sort >"$tmp/exported"
grep -hoE '^[A-Za-z_][A-Za-z0-9_]*[ *]+[A-Za-z_][A-Za-z0-9_]*\(' "$p"/include/nxpop3/*.h |
	sed -E 's/.*[ *]([A-Za-z_][A-Za-z0-9_]*)\($/\1/' | LC_ALL=C sort -u >"$tmp/declared"
[ "$(wc -l <"$tmp/declared")" -gt 50 ] || fail "too few declarations found in the headers"
extra=$(LC_ALL=C comm -23 "$tmp/exported" "$tmp/declared")
[ -z "$extra" ] || fail "exported but not in the public headers: $extra"
missing=$(LC_ALL=C comm -13 "$tmp/exported" "$tmp/declared" | grep -vx tx_application_define || true)
[ -z "$missing" ] || fail "declared but not exported: $missing"
echo "install-check: libnxpop3.so.$version exports $(wc -l <"$tmp/exported") functions, all declared, under NXPOP3_0"

"$MAKE" --no-print-directory uninstall DESTDIR="$dest" PREFIX="$prefix" >"$tmp/uninstall.log" 2>&1 ||
	fail "make uninstall: $(cat "$tmp/uninstall.log")"
snapshot >"$tmp/after"
diff -u "$tmp/before" "$tmp/after" || fail "make uninstall did not leave the prefix as it found it"
echo "install-check: installed $version (SONAME $soname), built five ways, ran against pop3testd, uninstalled cleanly"

# Another layout: a prefix of its own and a multiarch-style LIBDIR, which
# the pkg-config file and the CMake package's relative paths must follow.
dest=$tmp/root2 prefix=/opt/nxpop3 libdir=/opt/nxpop3/lib/x86_64-linux-gnu
"$MAKE" --no-print-directory install DESTDIR="$dest" PREFIX="$prefix" LIBDIR="$libdir" >"$tmp/install2.log" 2>&1 ||
	fail "make install (LIBDIR=$libdir): $(cat "$tmp/install2.log")"
pc=$dest$libdir/pkgconfig/nxpop3.pc
grep -qx 'libdir=${prefix}/lib/x86_64-linux-gnu' "$pc" || fail "nxpop3.pc's libdir: $(cat "$pc")"
export PKG_CONFIG_LIBDIR=$dest$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
# shellcheck disable=SC2046,SC2086 # the flags are words
$CC $CFLAGS "$work/version.c" $(pkg-config --cflags --libs nxpop3) -o "$work/version-libdir" ||
	fail "pkg-config build (LIBDIR=$libdir)"
got=$(LD_LIBRARY_PATH=$dest$libdir "$work/version-libdir") || fail "version-libdir failed"
[ "$got" = "$version $version" ] || fail "LIBDIR=$libdir: '$got', want '$version $version'"
b=$tmp/cmake-libdir
cmake -S build/dist/cmake-demo -B "$b" -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
	-DCMAKE_PREFIX_PATH="$dest$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
	-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF -DDEMO_SOURCE="$work/version.c" >"$b.log" 2>&1 &&
	cmake --build "$b" >>"$b.log" 2>&1 || fail "CMake (LIBDIR=$libdir): $(cat "$b.log")"
got=$("$b/demo") || fail "CMake version program (LIBDIR=$libdir) failed"
[ "$got" = "$version $version" ] || fail "CMake, LIBDIR=$libdir: '$got', want '$version $version'"
"$MAKE" --no-print-directory uninstall DESTDIR="$dest" PREFIX="$prefix" LIBDIR="$libdir" >"$tmp/uninstall2.log" 2>&1 ||
	fail "make uninstall (LIBDIR=$libdir): $(cat "$tmp/uninstall2.log")"
left=$(find "$dest" ! -type d)
[ -z "$left" ] || fail "make uninstall (LIBDIR=$libdir) left: $left"
echo "install-check: PREFIX=$prefix LIBDIR=$libdir: pkg-config and CMake builds run, uninstalled cleanly"
