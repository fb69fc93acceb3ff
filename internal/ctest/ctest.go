// Package ctest builds and runs the C test programs of this module: C code
// compiled against include/ as an application compiles it, linked with the
// c-archive that capi builds into, and checked for memory and thread errors.
//
// A _test.go file cannot use cgo, so every C test lives in a package's
// testdata and is compiled by these helpers, the one way to build C test
// programs: Archive builds the archive once per test binary and Variant
// (Plain, ASan), Program and WholeProgram each program once (Main removes
// what was built); StrictFlags and Warnings are the project's strict gcc
// flags, written here only; RequireSyntax compiles a header as C99, C11 and
// C++11; RequireProgram, RequireMemory and RequireThreads run a check.h
// test plain, under AddressSanitizer (or valgrind) and under
// ThreadSanitizer. A test that lacks a tool it
// needs (gcc, a sanitizer) fails with the command that installs it, or
// skips when the user opted out (package testenv's policy).
package ctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/testenv"
)

// ArchivePackage is the package built into the C archive the tests link.
const ArchivePackage = "github.com/nxpop3/nxpop3/capi"

// Warnings make every warning an error: the project's C code compiles
// clean with them.
var Warnings = []string{"-Wall", "-Wextra", "-Werror"}

// StrictFlags compile C the way the project's C code must compile.
var StrictFlags = append([]string{"-std=c99"}, Warnings...)

// ASanCFlags compile a C program for AddressSanitizer.
var ASanCFlags = []string{"-fsanitize=address", "-fno-omit-frame-pointer", "-g"}

// ASanOptions is the ASAN_OPTIONS setting of a C test program's run.
const ASanOptions = "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0"

// passLine is the last line a C test prints when every check passed
// (check.h's summary).
var passLine = regexp.MustCompile(`(?m)^[1-9][0-9]* passed, 0 failed$`)

// Root is the module's root directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// IncludeFlags are the -I flags of a C test program: the public headers,
// and the helpers C tests share (check.h, testenv.h).
func IncludeFlags() []string {
	root := Root()
	return []string{"-I" + filepath.Join(root, "include"), "-I" + filepath.Join(root, "internal", "ctest", "cinclude")}
}

// NeedTool returns the path of a tool the test cannot do without; missing,
// it ends the test by testenv's policy (valgrind is one of the
// Sanitizers, anything else a CTools need).
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		need := testenv.CTools
		if name == "valgrind" {
			need = testenv.Sanitizers
		}
		need.Unavailable(t, "%s not found: %v", name, err)
	}
	return path
}

// CFlags returns, in a new slice, StrictFlags followed by IncludeFlags: the
// start of every compile of a C test program.
func CFlags() []string {
	return append(append([]string{}, StrictFlags...), IncludeFlags()...)
}

// RequireSyntax compiles the C file src for syntax only as C99, C11 and
// C++11 (each a subtest), pedantic and with every warning an error, with
// the include directories inc: how a public header must compile in any
// application. cc/v4-style parsers are lenient where gcc -pedantic is not.
func RequireSyntax(t *testing.T, src string, inc ...string) {
	t.Helper()
	flags := append(append([]string{}, Warnings...), "-pedantic", "-fsyntax-only")
	for _, inc := range inc {
		flags = append(flags, "-I"+inc)
	}
	for _, c := range []struct{ std, tool, lang string }{
		{"c99", "gcc", "c"},
		{"c11", "gcc", "c"},
		{"c++11", "g++", "c++"},
	} {
		t.Run(c.std, func(t *testing.T) {
			tool := NeedTool(t, c.tool)
			args := append([]string{"-x", c.lang, "-std=" + c.std}, flags...)
			out, err := Run(filepath.Dir(src), tool, append(args, src)...)
			require.NoError(t, err, "%s %s:\n%s", c.tool, strings.Join(append(args, src), " "), out)
		})
	}
}

// Run runs a command in dir and returns its combined output and error.
func Run(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// BuildArchive builds ArchivePackage as a C archive in dir, with extra go
// build flags (such as -asan).
func BuildArchive(dir string, flags ...string) (lib, out string, err error) {
	lib = filepath.Join(dir, "libnxpop3.a")
	args := append([]string{"build", "-buildmode=c-archive"}, flags...)
	args = append(args, "-o", lib, ArchivePackage)
	out, err = Run(Root(), "go", args...)
	return lib, out, err
}

// RequirePassed requires a C test program's run to have succeeded with
// check.h's all-passed summary, and logs its output.
func RequirePassed(t testing.TB, out string, err error) {
	t.Helper()
	require.NoError(t, err, "%s", out)
	require.Regexp(t, passLine, out)
	t.Logf("%s", out)
}

// Variant is one way of building the archive and the programs linked
// with it.
type Variant struct {
	Name    string
	GoFlags []string // for go build -buildmode=c-archive
	CFlags  []string // for compiling and linking the C programs
}

var (
	// Plain builds as the Makefile builds the examples.
	Plain = Variant{Name: "plain", CFlags: []string{"-O2"}}
	// ASan instruments both the archive's C code (go build -asan) and the
	// program, so that an overflow on either side of the boundary is
	// caught.
	ASan = Variant{Name: "asan", GoFlags: []string{"-asan"}, CFlags: append([]string{"-O1"}, ASanCFlags...)}
)

// builds caches what a test binary builds: the archive takes a while, so
// it is built once per variant, and each program once per variant and
// flags, whichever test asks first. Main removes the directory.
var builds = struct {
	sync.Mutex
	root string
	done map[string]*build
}{done: map[string]*build{}}

type build struct {
	once sync.Once
	path string
	out  string
	err  error
}

// Main runs the tests of a package that builds C programs and removes what
// they built; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	RemoveBuilds()
	os.Exit(code)
}

// RemoveBuilds removes what the tests built; Main calls it, a TestMain that
// does more calls it after m.Run.
func RemoveBuilds() {
	builds.Lock()
	defer builds.Unlock()
	if builds.root != "" {
		os.RemoveAll(builds.root)
		builds.root = ""
		builds.done = map[string]*build{}
	}
}

// tryOnce runs fn once per key for the test binary, in a directory of its
// own, and returns what the first run returned.
func tryOnce(key string, fn func(dir string) (path, out string, err error)) (string, string, error) {
	builds.Lock()
	if builds.root == "" {
		root, err := os.MkdirTemp("", "nxpop3-ctest-")
		if err != nil {
			builds.Unlock()
			return "", "", err
		}
		builds.root = root
	}
	b := builds.done[key]
	if b == nil {
		b = &build{}
		builds.done[key] = b
	}
	root := builds.root
	builds.Unlock()
	b.once.Do(func() {
		dir := filepath.Join(root, strings.NewReplacer("/", "_", ".", "_", " ", "_").Replace(key))
		if b.err = os.MkdirAll(dir, 0o755); b.err == nil {
			b.path, b.out, b.err = fn(dir)
		}
	})
	return b.path, b.out, b.err
}

// Once is tryOnce for a build the test cannot do without.
func Once(t testing.TB, key string, fn func(dir string) (path, out string, err error)) string {
	t.Helper()
	path, out, err := tryOnce(key, fn)
	require.NoError(t, err, "building %s:\n%s", key, out)
	return path
}

func tryArchive(v Variant) (lib, out string, err error) {
	return tryOnce("lib-"+v.Name, func(dir string) (string, string, error) { return BuildArchive(dir, v.GoFlags...) })
}

// Archive returns the archive built for v, built once per test binary.
func Archive(t testing.TB, v Variant) string {
	t.Helper()
	NeedTool(t, "gcc")
	lib, out, err := tryArchive(v)
	require.NoError(t, err, "building the %s archive:\n%s", v.Name, out)
	return lib
}

// Program compiles the C program src (relative to the calling package's
// directory) as an application is compiled, with CFlags, v's flags and
// extra ones, links it with v's archive and returns the binary. Each
// program is built once per test binary for its variant and flags.
func Program(t testing.TB, v Variant, src string, extra ...string) string {
	t.Helper()
	return program(t, v, src, false, extra)
}

// WholeProgram is Program linking the whole archive, so that the Go runtime
// starts alongside C code that calls only the archive's C services (the
// host emulation), as it does in an application that calls the POP3 ones.
func WholeProgram(t testing.TB, v Variant, src string, extra ...string) string {
	t.Helper()
	return program(t, v, src, true, extra)
}

func program(t testing.TB, v Variant, src string, whole bool, extra []string) string {
	t.Helper()
	NeedTool(t, "gcc")
	bin, out, err := tryProgram(v, src, whole, extra)
	require.NoError(t, err, "building %s (%s):\n%s", src, v.Name, out)
	return bin
}

// tryProgram builds as Program and WholeProgram do, returning the error.
func tryProgram(v Variant, src string, whole bool, extra []string) (bin, out string, err error) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return "", "", err
	}
	lib, out, err := tryArchive(v)
	if err != nil {
		return "", out, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	key := fmt.Sprintf("%s %s %s %v %s", v.Name, filepath.Base(wd), src, whole, strings.Join(extra, " "))
	return tryOnce(key, func(dir string) (string, string, error) {
		bin := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".c"))
		args := append(append(CFlags(), v.CFlags...), extra...)
		args = append(args, src)
		if whole {
			args = append(args, "-Wl,--whole-archive", lib, "-Wl,--no-whole-archive")
		} else {
			args = append(args, lib)
		}
		out, err := Run(wd, gcc, append(args, "-lpthread", "-o", bin)...)
		return bin, out, err
	})
}

// RequireProgram links the C test program src with the whole plain
// archive (WholeProgram), runs it in a directory of its own and requires
// every check to pass. It returns the binary and the directory it ran in.
func RequireProgram(t testing.TB, src string) (bin, dir string) {
	t.Helper()
	bin = WholeProgram(t, Plain, src)
	dir = t.TempDir()
	out, err := Run(dir, bin)
	RequirePassed(t, out, err)
	return bin, dir
}

// ValgrindArgs runs bin under valgrind's memcheck for invalid accesses. The
// Go runtime's stack copying reads words valgrind believes uninitialised, so
// that check is off; addressing errors still fail the run.
func ValgrindArgs(bin string) []string {
	return []string{"--error-exitcode=1", "--leak-check=no", "--undef-value-errors=no", "-q", bin}
}

// ASanOrValgrind checks the C program src (linked as WholeProgram links
// it) for memory errors with the archive's own C code instrumented too: it
// calls asan with the program built for ASan. Where that build fails,
// valgrind stands in: it is called with the program built plain with -g
// and the path of the valgrind binary. With neither, testenv.Sanitizers is
// unavailable.
func ASanOrValgrind(t testing.TB, src string, asan func(bin string), valgrind func(bin, valgrindPath string)) {
	t.Helper()
	NeedTool(t, "gcc")
	bin, out, err := tryProgram(ASan, src, true, nil)
	if err == nil {
		asan(bin)
		return
	}
	t.Logf("AddressSanitizer unavailable, trying valgrind: %v\n%s", err, out)
	valgrindPath, lerr := exec.LookPath("valgrind")
	if lerr != nil {
		testenv.Sanitizers.Unavailable(t, "neither AddressSanitizer nor valgrind usable: %v", lerr)
	}
	valgrind(WholeProgram(t, Plain, src, "-g"), valgrindPath)
}

// RequireMemory runs the C test program src as ASanOrValgrind does and
// requires every check to pass; vgArgs gives valgrind's arguments for the
// binary.
func RequireMemory(t testing.TB, src string, vgArgs func(bin string) []string) {
	t.Helper()
	dir := t.TempDir()
	ASanOrValgrind(t, src, func(bin string) {
		cmd := exec.Command(bin)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), ASanOptions)
		b, err := cmd.CombinedOutput()
		RequirePassed(t, string(b), err)
	}, func(bin, valgrindPath string) {
		out, err := Run(dir, valgrindPath, vgArgs(bin)...)
		RequirePassed(t, out, err)
	})
}

// RequireThreads builds the C test program name under ThreadSanitizer from
// sources (paths relative to the calling package), runs it and requires
// every check to pass. The Go runtime cannot run under TSan from C, so the
// shims' C sources are compiled straight into the program instead of
// coming from the archive.
func RequireThreads(t testing.TB, name string, sources ...string) {
	t.Helper()
	gcc := NeedTool(t, "gcc")
	dir := t.TempDir()
	bin := filepath.Join(dir, name)
	args := append(CFlags(), "-g", "-O1", "-fsanitize=thread")
	args = append(append(args, sources...), "-lpthread", "-o", bin)
	out, err := Run(".", gcc, args...)
	if err != nil {
		testenv.Sanitizers.Unavailable(t, "ThreadSanitizer unavailable: %v\n%s", err, out)
	}
	out, err = Run(dir, bin)
	RequirePassed(t, out, err)
}
