package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHeadersCompile compiles the committed public headers as C programs
// include them: strict C99 and C11, and C++ for the extern "C" wrapping.
// cc/v4 is lenient where gcc -pedantic is not, so both are needed.
func TestHeadersCompile(t *testing.T) {
	root := testRoot(t)
	headers := []string{headerName}
	// nxd_pop3_client.h, the vendor's other spelling, belongs to another
	// part of the project; test it once it exists.
	if _, err := os.Stat(filepath.Join(root, "include", "nxd_pop3_client.h")); err == nil {
		headers = append(headers, "nxd_pop3_client.h")
	} else {
		t.Log("include/nxd_pop3_client.h does not exist yet: not compiled")
	}
	strict := []string{"-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only"}
	for _, h := range headers {
		for _, c := range []struct {
			name, tool string
			args       []string
		}{
			{"c99", "gcc", append([]string{"-x", "c", "-std=c99"}, strict...)},
			{"c11", "gcc", append([]string{"-x", "c", "-std=c11"}, strict...)},
			{"c++11", "g++", append([]string{"-x", "c++", "-std=c++11"}, strict...)},
		} {
			t.Run(h+"/"+c.name, func(t *testing.T) {
				tool := requireTool(t, c.tool)
				// Twice: the include guard must hold.
				src := strings.Repeat("#include \""+h+"\"\n", 2)
				args := append(append([]string{}, c.args...), "-I"+filepath.Join(root, "include"), "-")
				cmd := exec.Command(tool, args...)
				cmd.Stdin = strings.NewReader(src)
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, "%s %s:\n%s", c.tool, strings.Join(args, " "), out)
			})
		}
	}
}
