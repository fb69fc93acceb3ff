package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHeaderUpToDate regenerates the header from a fresh build of capi: an
// export or table changed without 'make header' fails here.
func TestHeaderUpToDate(t *testing.T) {
	exportPath, src := buildExportHeader(t)
	path, committed := committedHeader(t)
	got, err := generate(testRoot(t), exportPath, src, path)
	require.NoError(t, err)
	require.Equal(t, string(committed), string(got), "stale header: run make header")
}

// TestRenderMatchesCommitted needs no C compiler, so a table or prologue
// edit without regeneration is caught even where cgo is unavailable.
func TestRenderMatchesCommitted(t *testing.T) {
	secs, err := sections()
	require.NoError(t, err)
	_, committed := committedHeader(t)
	require.Equal(t, string(committed), string(render(secs)), "stale header: run make header")
}

func TestSkeletonDeclaresNoFunctions(t *testing.T) {
	s := string(skeleton())
	assert.NotContains(t, s, "pop3_client_create(")
	assert.Contains(t, s, "} NX_POP3_CLIENT;")
}
