package main

import (
	"errors"
	"fmt"
	"reflect"
	"slices"

	"modernc.org/cc/v4"
)

// checkExports compares capi's exports with the tables: the same set of
// functions, each with the table's prototype. All differences are reported
// at once, each naming its function, so one run shows the whole job.
func checkExports(exports []function, secs []section) error {
	got := map[string]function{}
	for _, f := range exports {
		got[f.Name] = f
	}
	var errs []error
	known := map[string]bool{}
	for _, s := range secs {
		for _, want := range s.protos {
			known[want.Name] = true
			f, ok := got[want.Name]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s: listed in %s but not exported by capi", want.Name, s.table))
			case want.diff(f.proto) != "":
				errs = append(errs, fmt.Errorf("%s: the export differs from the table: %s\n\texport: %s\n\ttable:  %s", want.Name, want.diff(f.proto), f.proto, want))
			}
		}
	}
	for _, f := range exports {
		if !known[f.Name] {
			errs = append(errs, fmt.Errorf("%s: exported by capi but in neither table: add \"%s\" to %s", f.Name, f.proto, ownTable))
		}
	}
	return errors.Join(errs...)
}

// verifyHeader parses the header about to be written, src, as C programs
// will see it from path, and checks it against the vendor: prototypes,
// constants and the public fields of NX_POP3_CLIENT. This catches what a
// edit of header.h.tmpl or a generator change could break and the
// exports cannot show.
func verifyHeader(root, path string, src []byte, secs []section) error {
	cfg, err := config(root, nil)
	if err != nil {
		return err
	}
	ast, err := translate(cfg, path, src)
	if err != nil {
		return err
	}
	var errs []error
	errs = append(errs, verifyPrototypes(ast, path, secs)...)
	errs = append(errs, verifyMacros(ast)...)
	errs = append(errs, verifyStruct(ast)...)
	errs = append(errs, verifyOptions(ast)...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// verifyPrototypes wants every table prototype declared under its public
// name and, where the section says so, its internal names; nothing else.
func verifyPrototypes(ast *cc.AST, path string, secs []section) []error {
	want := map[string]proto{}
	var order []string
	for _, s := range secs {
		for _, p := range s.protos {
			names := []string{p.Name}
			if s.internal {
				names = append(names, internalNames(p.Name)...)
			}
			for _, n := range names {
				want[n] = p
				order = append(order, n)
			}
		}
	}
	var errs []error
	declared := map[string]bool{}
	for _, f := range headerFunctions(ast, path) {
		declared[f.Name] = true
		p, ok := want[f.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: declared but in neither table", f.Name))
			continue
		}
		got := f.proto
		got.Name = p.Name
		if d := p.diff(got); d != "" {
			errs = append(errs, fmt.Errorf("%s: the declaration differs from the table: %s", f.Name, d))
		}
	}
	for _, n := range order {
		if !declared[n] {
			errs = append(errs, fmt.Errorf("%s: not declared", n))
		}
	}
	return errs
}

// headerFunctions returns the functions declared in the header itself, by
// their public or internal names.
func headerFunctions(ast *cc.AST, path string) []function {
	var r []function
	for _, f := range functions(ast, func(name string) bool {
		return hasExportPrefix(name) || hasInternalPrefix(name)
	}) {
		if f.file == path {
			r = append(r, f)
		}
	}
	return r
}

// verifyMacros wants the vendor's constants with the vendor's values.
func verifyMacros(ast *cc.AST) []error {
	var errs []error
	for _, m := range slices.Concat(vendorMacros, ownMacros) {
		got, ok := ast.Macros[m.Name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("macro %s: not defined", m.Name))
		case !reflect.DeepEqual(got.Value(), m.Want):
			errs = append(errs, fmt.Errorf("macro %s: value %#v, want %#v", m.Name, got.Value(), m.Want))
		}
	}
	return errs
}

// verifyStruct wants each public field of NX_POP3_CLIENT with the vendor's
// type.
func verifyStruct(ast *cc.AST) []error {
	t := typedef(ast, "NX_POP3_CLIENT")
	st, ok := t.(*cc.StructType)
	if !ok {
		return []error{fmt.Errorf("NX_POP3_CLIENT: %v, want a struct typedef", t)}
	}
	var errs []error
	for _, want := range vendorFields {
		f := st.FieldByName(want.Name)
		switch {
		case f == nil:
			errs = append(errs, fmt.Errorf("NX_POP3_CLIENT.%s: missing", want.Name))
		case spell(f.Type()) != want.Type:
			errs = append(errs, fmt.Errorf("NX_POP3_CLIENT.%s: type %s, want %s", want.Name, spell(f.Type()), want.Type))
		}
	}
	return errs
}

// verifyOptions holds NX_POP3_CLIENT_OPTIONS to its compatibility contract:
// the size field first, then the fields of optionsFields in that order, so
// that a later header may only append fields and a library reading a
// caller's struct up to its size finds each field where the caller put it.
func verifyOptions(ast *cc.AST) []error {
	t := typedef(ast, "NX_POP3_CLIENT_OPTIONS")
	st, ok := t.(*cc.StructType)
	if !ok {
		return []error{fmt.Errorf("NX_POP3_CLIENT_OPTIONS: %v, want a struct typedef", t)}
	}
	if st.NumFields() != len(optionsFields) {
		return []error{fmt.Errorf("NX_POP3_CLIENT_OPTIONS: %d fields, want %d (append new fields to optionsFields)", st.NumFields(), len(optionsFields))}
	}
	var errs []error
	for i, want := range optionsFields {
		f := st.FieldByIndex(i)
		switch {
		case f.Name() != want.Name:
			errs = append(errs, fmt.Errorf("NX_POP3_CLIENT_OPTIONS field %d: %s, want %s", i, f.Name(), want.Name))
		case spell(f.Type()) != want.Type:
			errs = append(errs, fmt.Errorf("NX_POP3_CLIENT_OPTIONS.%s: type %s, want %s", want.Name, spell(f.Type()), want.Type))
		case i == 0 && f.Offset() != 0:
			errs = append(errs, fmt.Errorf("NX_POP3_CLIENT_OPTIONS.%s: offset %d, want 0", want.Name, f.Offset()))
		}
	}
	return errs
}
