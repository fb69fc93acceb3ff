package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// exportDocs reads the Go doc comment of every function capi exports to C
// (marked //export), by C name. The header repeats them, so the contract of
// each call ("Status: ...") is written once, next to its code.
func exportDocs(root string) (map[string]string, error) {
	srcs, err := capiSources(root)
	if err != nil {
		return nil, err
	}
	return parseDocs(srcs)
}

// capiSources reads capi's Go files, tests aside, by path.
func capiSources(root string) (map[string][]byte, error) {
	paths, err := filepath.Glob(filepath.Join(root, "capi", "*.go"))
	if err != nil {
		return nil, err
	}
	srcs := map[string][]byte{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		if srcs[p], err = os.ReadFile(p); err != nil {
			return nil, err
		}
	}
	return srcs, nil
}

// parseDocs is exportDocs for the Go sources srcs, by file name.
func parseDocs(srcs map[string][]byte) (map[string]string, error) {
	docs := map[string]string{}
	fset := token.NewFileSet()
	for name, src := range srcs {
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Doc == nil {
				continue
			}
			export := ""
			for _, c := range fn.Doc.List {
				if n, ok := strings.CutPrefix(c.Text, "//export "); ok {
					export = strings.TrimSpace(n)
				}
			}
			if export == "" {
				continue
			}
			// Text drops the //export directive.
			if doc := strings.TrimSpace(fn.Doc.Text()); doc != "" {
				docs[export] = doc
			}
		}
	}
	return docs, nil
}

// cComment renders a Go doc comment as a C block comment in the header's
// style. It refuses a doc without the call's status codes, which C callers
// need most, and text that would end the C comment early.
func cComment(doc string) (string, error) {
	if !strings.Contains(doc, "Status: ") {
		return "", fmt.Errorf("doc comment of its export states no \"Status: \" codes")
	}
	if strings.Contains(doc, "*/") || strings.Contains(doc, "/*") {
		return "", fmt.Errorf("doc comment of its export holds a C comment delimiter")
	}
	var b strings.Builder
	for i, line := range strings.Split(doc, "\n") {
		switch {
		case i == 0:
			b.WriteString("/* ")
		case line == "":
			b.WriteString("\n *")
			continue
		default:
			b.WriteString("\n * ")
		}
		b.WriteString(line)
	}
	b.WriteString(" */")
	return b.String(), nil
}
