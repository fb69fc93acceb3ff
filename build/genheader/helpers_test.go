package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/ctest"
)

// committedHeader is the public header's path and text as in the tree.
func committedHeader(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(ctest.Root(), "include", headerName)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return path, b
}

// buildExportHeader builds capi's archive into a temporary directory and
// returns the path and text of the export header cgo writes beside it.
// The go build cache makes this cheap after the first test that does it.
func buildExportHeader(t *testing.T) (string, []byte) {
	t.Helper()
	ctest.NeedTool(t, "gcc")
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-buildmode=c-archive", "-o", filepath.Join(dir, "libnxpop3.a"), "./capi")
	cmd.Dir = ctest.Root()
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
	docs, err := exportDocs(ctest.Root())
	require.NoError(t, err)
	h, err := render(secs, docs)
	require.NoError(t, err)
	return h
}
