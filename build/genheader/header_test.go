package main

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
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

// TestRenderMatchesCommitted needs no C compiler, so a table, template or
// doc comment edit without regeneration is caught even where cgo is
// unavailable.
func TestRenderMatchesCommitted(t *testing.T) {
	secs, err := sections()
	require.NoError(t, err)
	_, committed := committedHeader(t)
	require.Equal(t, string(committed), string(renderHeader(t, secs)), "stale header: run make header")
}

// TestForwardMatchesCommitted: capi/forward.c is what the tables render.
func TestForwardMatchesCommitted(t *testing.T) {
	secs, err := sections()
	require.NoError(t, err)
	committed, err := os.ReadFile(filepath.Join(testRoot(t), "capi", forwardName))
	require.NoError(t, err)
	require.Equal(t, string(committed), string(renderForward(secs)), "stale capi/forward.c: run make header")
}

// TestHeaderDocumentsEveryCall reads the committed header as a C programmer
// does: right above each prototype, a comment that says what the call does
// and which status codes it returns, the same text as the export's Go doc.
func TestHeaderDocumentsEveryCall(t *testing.T) {
	secs, err := sections()
	require.NoError(t, err)
	docs, err := exportDocs(testRoot(t))
	require.NoError(t, err)
	_, committed := committedHeader(t)
	h := string(committed)
	n := 0
	for _, s := range secs {
		for _, p := range s.protos {
			n++
			at := strings.Index(h, "\n"+p.String()+";\n")
			require.Positive(t, at, "%s: prototype not in the header", p.Name)
			open := strings.LastIndex(h[:at], "/* ")
			require.Positive(t, open, p.Name)
			comment := h[open:at]
			require.True(t, strings.HasSuffix(comment, " */"), "%s: no comment right above the prototype", p.Name)
			assert.True(t, strings.HasPrefix(comment, "/* "+p.Name+" "), "%s: comment does not start with the name:\n%s", p.Name, comment)
			assert.Contains(t, comment, "Status: ", p.Name)
			// The Go doc's words, line breaks aside.
			assert.Equal(t, strings.Join(strings.Fields(docs[p.Name]), " "),
				strings.Join(strings.Fields(strings.NewReplacer("/*", "", "*/", "", "\n *", "\n").Replace(comment)), " "), p.Name)
		}
	}
	assert.Equal(t, len(vendorServices)+len(ownCalls), n)
	require.True(t, strings.HasPrefix(h, headerGenerated+"\n"), "first line says what generated the header")
}

// TestRenderRefusesUndocumented proves the doc check is not vacuous: an
// export whose doc comment is missing, states no status codes, or would
// end the C comment early is refused by name.
func TestRenderRefusesUndocumented(t *testing.T) {
	secs, err := sections()
	require.NoError(t, err)
	srcs, err := capiSources(testRoot(t))
	require.NoError(t, err)
	path := filepath.Join(testRoot(t), "capi", "vendor.go")
	src := srcs[path]
	require.NotEmpty(t, src)
	for _, m := range []mutation{
		{name: "doc removed", old: "// nx_pop3_client_noop sends NOOP, which keeps the session alive.\n//\n// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_SERVER_ERROR_STATUS;\n// NX_NOT_CONNECTED; NX_NO_RESPONSE.\n//\n",
			fn: "nx_pop3_client_noop", want: "no doc comment"},
		{name: "no status", old: "// Status: NX_SUCCESS; NX_PTR_ERROR; NX_POP3_SERVER_ERROR_STATUS;\n// NX_NOT_CONNECTED; NX_NO_RESPONSE.\n//\n//export nx_pop3_client_noop",
			new: "//export nx_pop3_client_noop", fn: "nx_pop3_client_noop", want: "Status"},
		{name: "comment end", old: "sends NOOP, which keeps", new: "sends NOOP */ which keeps", fn: "nx_pop3_client_noop", want: "C comment delimiter"},
	} {
		t.Run(m.name, func(t *testing.T) {
			mutated := maps.Clone(srcs)
			mutated[path] = mutate(t, src, m)
			docs, err := parseDocs(mutated)
			require.NoError(t, err)
			_, err = render(secs, docs)
			require.Error(t, err)
			require.ErrorContains(t, err, m.fn+": ")
			require.ErrorContains(t, err, m.want)
		})
	}
}

// TestParseDocs: the doc of an exported function, without the directive;
// functions not exported give none.
func TestParseDocs(t *testing.T) {
	src := "package main\n\n// f does x.\n//\n// Status: NX_SUCCESS.\n//\n//export nx_f\nfunc f() {}\n\n// g is Go only.\nfunc g() {}\n"
	docs, err := parseDocs(map[string][]byte{"x.go": []byte(src)})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"nx_f": "f does x.\n\nStatus: NX_SUCCESS."}, docs)
	c, err := cComment(docs["nx_f"])
	require.NoError(t, err)
	assert.Equal(t, "/* f does x.\n *\n * Status: NX_SUCCESS. */", c)
}

func TestSkeletonDeclaresNoFunctions(t *testing.T) {
	s := string(skeleton())
	assert.NotContains(t, s, "pop3_client_create(")
	assert.Contains(t, s, "} NX_POP3_CLIENT;")
}

// TestCheckMode runs the command's -check path on copies of the committed
// files: it passes on them as they are, and fails on a stale forward.c or
// header, naming the file, without writing anything.
func TestCheckMode(t *testing.T) {
	exportPath, _ := buildExportHeader(t)
	root := testRoot(t)
	dir := t.TempDir()
	header := filepath.Join(dir, headerName)
	forward := filepath.Join(dir, forwardName)
	copyFile := func(from, to string, edit func(string) string) {
		b, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(to, []byte(edit(string(b))), 0o644))
	}
	same := func(s string) string { return s }
	copyFile(filepath.Join(root, "include", headerName), header, same)
	copyFile(filepath.Join(root, "capi", forwardName), forward, same)
	require.NoError(t, run(exportPath, header, forward, true))

	stale := func(s string) string {
		return strings.Replace(s, "    return nx_pop3_client_quit(client_ptr);\n", "", 1)
	}
	copyFile(filepath.Join(root, "capi", forwardName), forward, stale)
	before, err := os.ReadFile(forward)
	require.NoError(t, err)
	require.ErrorContains(t, run(exportPath, header, forward, true), forward+" is stale")
	after, err := os.ReadFile(forward)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "-check wrote the file")

	copyFile(filepath.Join(root, "capi", forwardName), forward, same)
	copyFile(filepath.Join(root, "include", headerName), header, func(s string) string {
		return strings.Replace(s, "sends NOOP, which keeps", "sends NOOP which keeps", 1)
	})
	require.ErrorContains(t, run(exportPath, header, forward, true), header+" is stale")
}
