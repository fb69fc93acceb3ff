package readmetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/ctest"
)

type block struct {
	lang, code string
	line       int // of the opening fence
}

// blocks returns the fenced code blocks of the README.
func blocks(t *testing.T) []block {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ctest.Root(), "README.md"))
	require.NoError(t, err)
	var out []block
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok || lang == "" {
			continue
		}
		start := i
		var code []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			code = append(code, lines[i])
		}
		out = append(out, block{lang, strings.Join(code, "\n") + "\n", start + 1})
	}
	return out
}

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ctest.Root(), "README.md"))
	require.NoError(t, err)
	return string(b)
}

// goImports are the packages a README block may use without importing
// them, by the name it uses.
var goImports = map[string]string{
	"context": "context", "errors": "errors", "fmt": "fmt", "io": "io", "log": "log",
	"os": "os", "strings": "strings", "time": "time", "testing": "testing", "tls": "crypto/tls",
	"pop3": "github.com/nxpop3/nxpop3/pop3", "pop3test": "github.com/nxpop3/nxpop3/pop3/pop3test",
}

var importLine = regexp.MustCompile(`(?m)^import "[^"]+"\n`)

// goFile makes a Go file of a README block: its own import lines, plus the
// packages of goImports it names.
func goFile(code string) string {
	own := importLine.FindAllString(code, -1)
	code = importLine.ReplaceAllString(code, "")
	seen := map[string]bool{}
	var imports []string
	for _, l := range own {
		p := strings.TrimSpace(strings.TrimPrefix(l, "import "))
		seen[p] = true
		imports = append(imports, p)
	}
	for name, path := range goImports {
		q := strconv.Quote(path)
		if !seen[q] && regexp.MustCompile(`\b`+name+`\.`).MatchString(code) {
			imports = append(imports, q)
		}
	}
	sort.Strings(imports)
	return "package readmeblocks\n\nimport (\n\t" + strings.Join(imports, "\n\t") + "\n)\n\n" + code
}

// TestReadmeGoBlocks builds every Go block of the README as one package
// (each block a file; blocks that define a test function are test files)
// with go vet, then runs its tests: the README shows code known to work.
func TestReadmeGoBlocks(t *testing.T) {
	root := ctest.Root()
	base := filepath.Join(root, "internal", "readmetest", "testdata")
	require.NoError(t, os.MkdirAll(base, 0o755))
	dir, err := os.MkdirTemp(base, "blocks-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })

	n := 0
	for _, b := range blocks(t) {
		if b.lang != "go" {
			continue
		}
		n++
		name := fmt.Sprintf("line%d.go", b.line)
		if strings.Contains(b.code, "func Test") {
			name = fmt.Sprintf("line%d_test.go", b.line)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(goFile(b.code)), 0o644))
	}
	require.GreaterOrEqual(t, n, 3, "the README's Go blocks")
	pkg := "./" + filepath.ToSlash(must(filepath.Rel(root, dir)))
	for _, args := range [][]string{{"vet", pkg}, {"test", "-count=1", pkg}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s: a README Go block does not build or its test fails (files are named for the block's line):\n%s",
			strings.Join(args, " "), out)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// cPrelude declares what the README's C blocks use without declaring it:
// the client and its IP instance and pool, as an application has them,
// and the application's own store function.
const cPrelude = `#include "nx_api.h"
#include "nx_pop3_client.h"
static NX_POP3_CLIENT client;
static NX_IP ip;
static NX_PACKET_POOL pool;
UINT store(VOID *state, UINT item, UCHAR *data, ULONG length, UINT final);
`

// TestReadmeCBlocks compiles every C block of the README against include/
// as C99 with every warning an error, except for what a fragment cannot
// avoid (unused parameters and static functions).
func TestReadmeCBlocks(t *testing.T) {
	gcc := ctest.NeedTool(t, "gcc")
	dir := t.TempDir()
	n := 0
	for _, b := range blocks(t) {
		if b.lang != "c" {
			continue
		}
		n++
		src := filepath.Join(dir, fmt.Sprintf("line%d.c", b.line))
		require.NoError(t, os.WriteFile(src, []byte(cPrelude+b.code), 0o644))
		args := append(ctest.CFlags(), "-Wno-unused-parameter", "-Wno-unused-function", "-Wno-unused-variable", "-fsyntax-only", src)
		out, err := ctest.Run(dir, gcc, args...)
		assert.NoError(t, err, "README C block at line %d:\n%s\n%s", b.line, b.code, out)
	}
	require.GreaterOrEqual(t, n, 5, "the README's C blocks")
}

// TestReadmeSentinels: the README's list of sentinel errors is the
// package's: each exported Err variable of pop3 (in any file) is named, and each one
// named exists (an exported sentinel never returned once hid there).
func TestReadmeSentinels(t *testing.T) {
	var src strings.Builder
	files, _ := filepath.Glob(filepath.Join(ctest.Root(), "pop3", "*.go"))
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			src.Write(must(os.ReadFile(f)))
		}
	}
	declared := regexp.MustCompile(`(?m)^(?:\t|var )(Err\w+)\s*=`).FindAllStringSubmatch(src.String(), -1)
	require.NotEmpty(t, declared)
	text := readme(t)
	have := map[string]bool{}
	for _, m := range declared {
		have[m[1]] = true
		assert.True(t, strings.Contains(text, "`"+m[1]+"`"), "pop3.%s is not in the README's sentinel list", m[1])
	}
	for _, m := range regexp.MustCompile("`(?:pop3\\.)?(Err[A-Z]\\w+)`").FindAllStringSubmatch(text, -1) {
		assert.True(t, have[m[1]], "the README names %s, which pop3 does not declare", m[1])
	}
	for _, m := range declared {
		if m[1] == "ErrTLS" || m[1] == "ErrTLSRequired" {
			continue
		}
		uses := 0
		files, _ := filepath.Glob(filepath.Join(ctest.Root(), "pop3", "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, _ := os.ReadFile(f)
			for _, line := range strings.Split(string(b), "\n") {
				if !strings.HasPrefix(strings.TrimSpace(line), "//") {
					uses += strings.Count(line, m[1])
				}
			}
		}
		assert.Greater(t, uses, 1, "pop3.%s is declared but never returned", m[1])
	}
}

// TestReadmeMakeTargets: every target make help lists is named in the
// README.
func TestReadmeMakeTargets(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join(ctest.Root(), "Makefile"))
	require.NoError(t, err)
	text := readme(t)
	targets := regexp.MustCompile(`(?m)^([a-z-]+):.*## `).FindAllStringSubmatch(string(mk), -1)
	require.NotEmpty(t, targets)
	for _, m := range targets {
		assert.True(t, strings.Contains(text, "`"+m[1]+"`") || strings.Contains(text, "make "+m[1]),
			"make %s is not in the README", m[1])
	}
}

// TestReadmeBytesFunctions: a bytes function the README says the core
// uses is one the core calls (the dot scan was once described with the
// wrong one).
func TestReadmeBytesFunctions(t *testing.T) {
	var src strings.Builder
	files, _ := filepath.Glob(filepath.Join(ctest.Root(), "pop3", "*.go"))
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			src.Write(must(os.ReadFile(f)))
		}
	}
	for _, m := range regexp.MustCompile("`(bytes\\.\\w+)`").FindAllStringSubmatch(readme(t), -1) {
		assert.True(t, strings.Contains(src.String(), m[1]+"("), "the README says pop3 uses %s; it does not", m[1])
	}
}
