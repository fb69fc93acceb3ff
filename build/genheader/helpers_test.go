package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireTool skips a test that needs a C toolchain program where there is
// none, except in CI, where a missing compiler must not pass as a skip.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not found: %v", name, err)
	}
	return p
}

// testRoot is the module root; go test runs in build/genheader.
func testRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "go.mod"))
	return root
}

// committedHeader is the public header's path and text as in the tree.
func committedHeader(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(testRoot(t), "include", headerName)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return path, b
}

// buildExportHeader builds capi's archive into a temporary directory and
// returns the path and text of the export header cgo writes beside it.
// The go build cache makes this cheap after the first test that does it.
func buildExportHeader(t *testing.T) (string, []byte) {
	t.Helper()
	requireTool(t, "gcc")
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-buildmode=c-archive", "-o", filepath.Join(dir, "libnxpop3.a"), "./capi")
	cmd.Dir = testRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build -buildmode=c-archive ./capi:\n%s", out)
	path := filepath.Join(dir, "libnxpop3.h")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return path, b
}

// renderHeader renders the public header from secs and the doc comments of
// this checkout's capi.
func renderHeader(t *testing.T, secs []section) []byte {
	t.Helper()
	docs, err := exportDocs(testRoot(t))
	require.NoError(t, err)
	h, err := render(secs, docs)
	require.NoError(t, err)
	return h
}
