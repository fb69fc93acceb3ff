package main

import (
	"regexp"
	"testing"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/stretchr/testify/require"
)

// TestCVersion: nx_pop3_client_version_get gives the header's numbers,
// NXPOP3_VERSION_STRING and _NUMBER are made of them, and a NULL pointer
// is NX_PTR_ERROR with nothing written.
func TestCVersion(t *testing.T) {
	t.Parallel()
	out, err := cRun(t, cPlain, cProgram(t, "testdata/version.c", cPlain), nil, nil)
	ctest.RequirePassed(t, out, err)
	require.Regexp(t, regexp.MustCompile(`(?m)^version [0-9]+\.[0-9]+\.[0-9]+$`), out)
}
