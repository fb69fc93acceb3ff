package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/cc/v4"
)

// exportPrefixes name the functions the public header declares: the
// vendor's services and nxpop3's calls in the vendor's naming.
var exportPrefixes = []string{"nx_pop3_client_", "nxd_pop3_client_"}

// hasExportPrefix reports whether name belongs to the public API.
func hasExportPrefix(name string) bool {
	for _, p := range exportPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// baseConfig runs the C compiler for its predefined macros and search paths,
// which takes a noticeable fraction of a second, so it runs once per process.
var baseConfig = sync.OnceValues(func() (*cc.Config, error) {
	return cc.NewConfig("", "")
})

// config returns a fresh copy of the base configuration, so that one parse's
// search paths and overlay never leak into another's.
func config(root string, overlay fs.FS) (*cc.Config, error) {
	base, err := baseConfig()
	if err != nil {
		return nil, fmt.Errorf("configuring cc/v4 from the C compiler: %w", err)
	}
	cfg := *base
	cfg.Header = true
	cfg.EvalAllMacros = true
	cfg.FS = overlay
	// capi/ first: the export header includes capi's preamble header under
	// a #line that names a Go file, so cc/v4's "same directory" rule (the
	// "" entry) would resolve it against the working directory instead.
	cfg.IncludePaths = append([]string{filepath.Join(root, "capi"), filepath.Join(root, "include")}, base.IncludePaths...)
	return &cfg, nil
}

// translate parses and type checks one file. cc/v4 injects nothing by
// itself: the compiler's predefined macros and cc's builtin declarations
// must come first or the translation unit does not type check.
func translate(cfg *cc.Config, name string, src []byte) (*cc.AST, error) {
	ast, err := cc.Translate(cfg, []cc.Source{
		{Name: "<predefined>", Value: cfg.Predefined},
		{Name: "<builtin>", Value: cc.Builtin},
		{Name: name, Value: src},
	})
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", name, err)
	}
	return ast, nil
}

// function is a C function declaration as the parser saw it.
type function struct {
	proto
	file string // as #line directives leave it
}

// functions returns the function declarations of the translation unit
// whose names match, in source order.
func functions(ast *cc.AST, match func(name string) bool) []function {
	var r []function
	for tu := ast.TranslationUnit; tu != nil; tu = tu.TranslationUnit {
		ed := tu.ExternalDeclaration
		if ed == nil || ed.Case != cc.ExternalDeclarationDecl || ed.Declaration == nil {
			continue
		}
		for l := ed.Declaration.InitDeclaratorList; l != nil; l = l.InitDeclaratorList {
			d := l.InitDeclarator.Declarator
			ft, ok := d.Type().(*cc.FunctionType)
			if !ok || d.IsTypename() || !match(d.Name()) {
				continue
			}
			f := function{proto: proto{Result: spell(ft.Result()), Name: d.Name()}, file: d.Position().Filename}
			for _, p := range ft.Parameters() {
				if p.Name() == "" && p.Type().Kind() == cc.Void {
					continue // f(void)
				}
				f.Params = append(f.Params, param{Type: spell(p.Type()), Name: p.Name()})
			}
			r = append(r, f)
		}
	}
	return r
}

// typedef returns the type a file-scope typedef names, or nil.
func typedef(ast *cc.AST, name string) cc.Type {
	for tu := ast.TranslationUnit; tu != nil; tu = tu.TranslationUnit {
		ed := tu.ExternalDeclaration
		if ed == nil || ed.Case != cc.ExternalDeclarationDecl || ed.Declaration == nil {
			continue
		}
		for l := ed.Declaration.InitDeclaratorList; l != nil; l = l.InitDeclaratorList {
			if d := l.InitDeclarator.Declarator; d.IsTypename() && d.Name() == name {
				return d.Type()
			}
		}
	}
	return nil
}

// spell renders a type as the vendor writes it: the typedef name when there
// is one, then the pointer levels ("NX_PACKET **"), or the array length
// ("CHAR[41]"). Anything else falls back to cc/v4's own spelling, which
// cannot match a table entry and so is reported rather than hidden.
func spell(t cc.Type) string {
	if d := t.Typedef(); d != nil {
		return d.Name()
	}
	if t.Kind() == cc.Void {
		// VOID is a macro, as in ThreadX, so the parser only ever sees
		// void; cgo writes void too.
		return "VOID"
	}
	switch x := t.(type) {
	case *cc.PointerType:
		s := spell(x.Elem())
		if strings.HasSuffix(s, "*") {
			return s + "*"
		}
		return s + " *"
	case *cc.ArrayType:
		return fmt.Sprintf("%s[%d]", spell(x.Elem()), x.Len())
	}
	return t.String()
}

// cgoExportPart is the file name cgo's #line directives give the part of
// its export header that holds the //export prototypes. Declarations of the
// preamble carry a Go file's name, "cgo-generated-wrapper" or the included
// header's name instead, and are not exports.
const cgoExportPart = "cgo-gcc-export-header-prolog"

// parseExports returns the exported functions of the cgo export header src,
// read from path. The public header that capi's preamble includes is
// replaced by skeleton (the header without prototypes), so the result
// depends on the exports alone: not on a stale or half-edited header on
// disk, nor on the compiler's view of a prototype declared twice.
func parseExports(root, path string, src, skeleton []byte) ([]function, error) {
	cfg, err := config(root, overlay{filepath.Join(root, "include", headerName): skeleton})
	if err != nil {
		return nil, err
	}
	ast, err := translate(cfg, path, src)
	if err != nil {
		return nil, err
	}
	var r []function
	for _, f := range functions(ast, hasExportPrefix) {
		if f.file == cgoExportPart {
			r = append(r, f)
		}
	}
	if len(r) == 0 {
		return nil, fmt.Errorf("%s: no %s functions in the cgo export part: not the export header of capi?", path, strings.Join(exportPrefixes, "/"))
	}
	return r, nil
}

// overlay serves files by absolute path; cc/v4 opens everything else from
// the host file system. fstest.MapFS would refuse absolute names.
type overlay map[string][]byte

// Open implements fs.FS.
func (o overlay) Open(name string) (fs.File, error) {
	b, ok := o[filepath.FromSlash(name)]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &overlayFile{Reader: bytes.NewReader(b), name: filepath.Base(name), size: int64(len(b))}, nil
}

// overlayFile is an open overlay file; it is its own fs.FileInfo, which
// cc/v4 asks for to tell files from directories.
type overlayFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *overlayFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *overlayFile) Close() error               { return nil }
func (f *overlayFile) Name() string               { return f.name }
func (f *overlayFile) Size() int64                { return f.size }
func (f *overlayFile) Mode() fs.FileMode          { return 0o444 }
func (f *overlayFile) ModTime() time.Time         { return time.Time{} }
func (f *overlayFile) IsDir() bool                { return false }
func (f *overlayFile) Sys() any                   { return nil }
