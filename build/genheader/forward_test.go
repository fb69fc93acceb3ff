package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/cc/v4"

	"github.com/nxpop3/nxpop3/internal/ctest"
)

// TestForwardersDefined checks the header's promise about the vendor's
// internal names: each one it declares is defined by capi/forward.c (the
// archive would fail to link vendor-compiled objects otherwise), and
// forward.c defines no other. cgo's export header cannot show these, since
// they are C functions, not Go exports.
func TestForwardersDefined(t *testing.T) {
	ctest.NeedTool(t, "gcc")
	root := ctest.Root()
	path := filepath.Join(root, "capi", "forward.c")
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	cfg, err := config(root, nil)
	require.NoError(t, err)
	ast, err := translate(cfg, path, src)
	require.NoError(t, err)

	var defined []string
	for tu := ast.TranslationUnit; tu != nil; tu = tu.TranslationUnit {
		ed := tu.ExternalDeclaration
		if ed != nil && ed.Case == cc.ExternalDeclarationFuncDef && hasInternalPrefix(ed.FunctionDefinition.Declarator.Name()) {
			defined = append(defined, ed.FunctionDefinition.Declarator.Name())
		}
	}
	secs, err := sections()
	require.NoError(t, err)
	var want []string
	for _, s := range secs {
		if s.internal {
			for _, p := range s.protos {
				want = append(want, internalNames(p.Name)...)
			}
		}
	}
	slices.Sort(defined)
	slices.Sort(want)
	assert.Equal(t, want, defined, "internal names declared by the header vs defined in capi/forward.c")
}
