package main

import (
	"fmt"
	"regexp"
	"strings"
)

// proto is a C function prototype in the vendor's terms: typedef names
// with their pointer levels, and parameter names.
type proto struct {
	Result string
	Name   string
	Params []param
}

// param is one parameter; Type is spelled "NX_PACKET **", as spell does.
type param struct {
	Type string
	Name string
}

// String renders p in the vendor's style, without the semicolon:
// "UINT f(NX_POP3_CLIENT *client_ptr, UINT mail_index)".
func (p proto) String() string {
	return p.named(p.Name)
}

// named renders p under another name: the vendor's internal names share
// the public prototypes.
func (p proto) named(name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s(", p.Result, name)
	if len(p.Params) == 0 {
		b.WriteString("VOID")
	}
	for i, q := range p.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(q.Type)
		if !strings.HasSuffix(q.Type, "*") {
			b.WriteByte(' ')
		}
		b.WriteString(q.Name)
	}
	b.WriteByte(')')
	return b.String()
}

var (
	protoRE = regexp.MustCompile(`^\s*(\w+)\s+(\w+)\s*\((.*)\)\s*;?\s*$`)
	paramRE = regexp.MustCompile(`^\s*(\w+)([\s*]+)(\w+)\s*$`)
)

// parseProto reads a table entry. Only what the vendor's prototypes use is
// accepted (a typedef name, pointer levels, a parameter name), so an entry
// that could not be compared with the exports is refused up front.
func parseProto(s string) (proto, error) {
	m := protoRE.FindStringSubmatch(s)
	if m == nil {
		return proto{}, fmt.Errorf("table entry %q: want \"RESULT name(TYPE *param, ...)\"", s)
	}
	p := proto{Result: m[1], Name: m[2]}
	if args := strings.TrimSpace(m[3]); args != "" && args != "VOID" && args != "void" {
		for _, a := range strings.Split(args, ",") {
			pm := paramRE.FindStringSubmatch(a)
			if pm == nil {
				return proto{}, fmt.Errorf("table entry %s: parameter %q: want \"TYPE *name\"", p.Name, strings.TrimSpace(a))
			}
			typ := pm[1]
			if n := strings.Count(pm[2], "*"); n > 0 {
				typ += " " + strings.Repeat("*", n)
			}
			p.Params = append(p.Params, param{Type: typ, Name: pm[3]})
		}
	}
	return p, nil
}

// diff describes how got differs from p, or returns "" when they are equal.
// It names the first difference only: one fix at a time reads better than
// a cascade caused by a single dropped parameter.
func (p proto) diff(got proto) string {
	if got.Result != p.Result {
		return fmt.Sprintf("result type %s, want %s", got.Result, p.Result)
	}
	for i := 0; i < len(p.Params) && i < len(got.Params); i++ {
		w, g := p.Params[i], got.Params[i]
		if g.Name != w.Name {
			return fmt.Sprintf("parameter %d is named %s, want %s", i+1, g.Name, w.Name)
		}
		if g.Type != w.Type {
			return fmt.Sprintf("parameter %d (%s) has type %s, want %s", i+1, w.Name, g.Type, w.Type)
		}
	}
	if len(got.Params) != len(p.Params) {
		return fmt.Sprintf("%d parameters, want %d", len(got.Params), len(p.Params))
	}
	return ""
}
