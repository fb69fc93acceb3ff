// Command genheader writes the public C header include/nx_pop3_client.h
// and capi/forward.c from the cgo export header of capi, and proves them
// right.
//
//	go build -buildmode=c-archive -o build/libnxpop3.a ./capi
//	go run ./build/genheader -export build/libnxpop3.h -out include/nx_pop3_client.h -forward capi/forward.c [-check]
//
// cgo's own export header is GCC-specific and shows Go's view of the API;
// C programs written for NetX Duo need the vendor's. genheader parses the
// export header with modernc.org/cc/v4, requires every
// nx_pop3_client_/nxd_pop3_client_ export to match a prototype of the
// tables (vendor.go: the vendor's services; own.go: nxpop3's additions),
// renders the header from the tables, and parses the result again to check
// its prototypes, the vendor's constants and the public struct fields.
//
// The header's fixed C text (constants, the structs, callback types) is
// the template header.h.tmpl; each prototype's comment is its export's Go
// doc comment in capi, so the contract of a call, with its status codes,
// is written once and C programmers read it in the header. forward.c, the
// vendor's internal names (_nxe_, _nx_, _nxde_, _nxd_) forwarding to the
// public ones, is rendered from the same tables with forward.c.tmpl.
//
// With -check nothing is written: the command fails if a file on disk
// differs from what it would write, so CI catches one not regenerated.
//
// It runs from anywhere inside the module; the module root (the directory
// holding go.mod) supplies capi/ and include/ to the C parser.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	export := flag.String("export", "build/libnxpop3.h", "cgo export header written by go build -buildmode=c-archive ./capi")
	out := flag.String("out", "include/"+headerName, "public header to write")
	forward := flag.String("forward", "capi/"+forwardName, "C file of the vendor's internal names to write")
	check := flag.Bool("check", false, "write nothing; fail if -out or -forward differs from what would be written")
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*export, *out, *forward, *check); err != nil {
		fmt.Fprintf(os.Stderr, "genheader: %v\n", err)
		os.Exit(1)
	}
}

func run(exportPath, outPath, forwardPath string, check bool) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	// Absolute paths: cc/v4 reports and resolves includes by them, and the
	// overlay of the public header is keyed by one.
	if exportPath, err = filepath.Abs(exportPath); err != nil {
		return err
	}
	if outPath, err = filepath.Abs(outPath); err != nil {
		return err
	}
	src, err := os.ReadFile(exportPath)
	if err != nil {
		return fmt.Errorf("%w (build it: go build -buildmode=c-archive -o build/libnxpop3.a ./capi)", err)
	}
	header, err := generate(root, exportPath, src, outPath)
	if err != nil {
		return err
	}
	secs, err := sections()
	if err != nil {
		return err
	}
	if err := update(outPath, header, check); err != nil {
		return err
	}
	return update(forwardPath, renderForward(secs), check)
}

// update writes data to path unless it holds it already; with check it
// writes nothing and fails instead, showing the difference.
func update(path string, data []byte, check bool) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if string(old) == string(data) {
		return nil
	}
	if check {
		return fmt.Errorf("%s is stale: run 'make header'\n%s", path, lineDiff(old, data))
	}
	return os.WriteFile(path, data, 0o644)
}

// generate returns the public header for the cgo export header src, read
// from exportPath, after verifying it as C programs will read it from
// outPath. root is the module root.
func generate(root, exportPath string, src []byte, outPath string) ([]byte, error) {
	secs, err := sections()
	if err != nil {
		return nil, err
	}
	exports, err := parseExports(root, exportPath, src, skeleton())
	if err != nil {
		return nil, err
	}
	if err := checkExports(exports, secs); err != nil {
		return nil, fmt.Errorf("capi's exports differ from the tables:\n%w", err)
	}
	docs, err := exportDocs(root)
	if err != nil {
		return nil, err
	}
	header, err := render(secs, docs)
	if err != nil {
		return nil, err
	}
	if err := verifyHeader(root, outPath, header, secs); err != nil {
		return nil, fmt.Errorf("the generated header fails verification: %w", err)
	}
	return header, nil
}

// moduleRoot is the nearest directory at or above the working directory
// that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory")
		}
		dir = parent
	}
}
