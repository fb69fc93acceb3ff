package hostile

import (
	"bytes"
	"fmt"
	"strings"
)

// CStatus is the NetX status the C API returns for an outcome (the table
// of capi/status.go), as its code and name.
func CStatus(o Outcome) (code uint, name string) {
	switch o {
	case OutcomeOK:
		return 0x00, "NX_SUCCESS"
	case OutcomeServerError, OutcomeProtocolError, OutcomeTooLong:
		return 0xB4, "NX_POP3_SERVER_ERROR_STATUS"
	case OutcomeTimeout:
		return 0x29, "NX_NO_RESPONSE"
	case OutcomeClosed:
		return 0x38, "NX_NOT_CONNECTED"
	case OutcomeTLS:
		return 0xB9, "NX_POP3_TLS_ERROR"
	}
	return 0xFF, "?"
}

// MarkdownTable renders cases as the README's Markdown table: case, stage,
// expected outcome, C status.
func MarkdownTable(cases []Case) string {
	var b bytes.Buffer
	b.WriteString("| case | stage | expected outcome | C status |\n|---|---|---|---|\n")
	for _, c := range cases {
		stage := string(c.Stage)
		if c.FailsNext {
			stage += " (seen at the next command)"
		}
		if c.InData {
			stage += " (in the data)"
		}
		out := c.Outcome.String()
		if c.Code != "" {
			out += " [" + c.Code + "]"
		}
		cs := "Go only: " + c.GoOnly
		if c.GoOnly == "" {
			code, name := CStatus(c.Outcome)
			cs = fmt.Sprintf("0x%02X %s", code, name)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", strings.ReplaceAll(c.Name, "|", `\|`), stage, out, cs)
	}
	return b.String()
}
