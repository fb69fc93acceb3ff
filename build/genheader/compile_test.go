package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/ctest"
)

// TestHeadersCompile compiles the committed public headers as C programs
// include them: strict C99 and C11, and C++ for the extern "C" wrapping.
// cc/v4 is lenient where gcc -pedantic is not, so both are needed.
func TestHeadersCompile(t *testing.T) {
	root := ctest.Root()
	for _, h := range []string{headerName, "nxd_pop3_client.h"} {
		t.Run(h, func(t *testing.T) {
			// Twice: the include guard must hold.
			src := filepath.Join(t.TempDir(), "include_twice.c")
			require.NoError(t, os.WriteFile(src, []byte(strings.Repeat("#include \""+h+"\"\n", 2)), 0o644))
			ctest.RequireSyntax(t, src, filepath.Join(root, "include"))
		})
	}
}
