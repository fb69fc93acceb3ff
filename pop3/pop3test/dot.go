package pop3test

import (
	"bytes"
	"strings"
)

var (
	nlDot = []byte("\n.")
	crlf  = []byte("\r\n")
)

// Stuff returns msg as a server sends it after +OK: dot-stuffed, with CRLF
// appended unless msg is empty or ends in CRLF, then the terminating
// ".\r\n" (RFC 1939, section 3). A message ending in a bare LF gets a CRLF
// too, since the terminator is CRLF "." CRLF and a bare LF before the dot
// would not make one. It is what Server sends, for building the replies of
// a Script.
func Stuff(msg []byte) string {
	var b strings.Builder
	b.Grow(len(msg) + 5)
	writeStuffed(&b, msg)
	return b.String()
}

// stuffWriter is what writeStuffed writes to: a bufio.Writer, whose
// errors stick until its next flush, or a strings.Builder.
type stuffWriter interface {
	Write([]byte) (int, error)
	WriteByte(byte) error
	WriteString(string) (int, error)
}

// writeStuffed writes data as Stuff returns it.
//
// Only the lines that start with a dot need an extra byte, so the search
// is for "\n." and everything between hits goes to the writer in one
// piece; bufio passes large pieces straight to the connection, so a big
// message is never copied.
func writeStuffed(w stuffWriter, data []byte) {
	if len(data) > 0 && data[0] == '.' {
		w.WriteByte('.')
	}
	rest := data
	for {
		i := bytes.Index(rest, nlDot)
		if i < 0 {
			break
		}
		w.Write(rest[:i+1])
		w.WriteByte('.')
		rest = rest[i+1:] // starts with the dot just stuffed
	}
	w.Write(rest)
	if len(data) > 0 && !bytes.HasSuffix(data, crlf) {
		w.Write(crlf)
	}
	w.WriteString(".\r\n")
}

// sendData writes data as the body of a multi-line reply (see Stuff).
// Errors stick in the bufio.Writer and end the session at the next flush.
func (ss *session) sendData(data []byte) { writeStuffed(ss.w, data) }

// Top returns what TOP n answers for msg (RFC 1939): the header, the blank
// line and the first n lines of the body, everything when it has fewer. A
// message without a blank line is all header.
func Top(msg []byte, n int) []byte {
	end := bodyStart(msg)
	for ; n > 0 && end < len(msg); n-- {
		i := bytes.IndexByte(msg[end:], '\n')
		if i < 0 {
			return msg
		}
		end += i + 1
	}
	return msg[:end]
}

// bodyStart returns the offset just after the blank line that ends the
// header, or len(msg) if there is none.
func bodyStart(msg []byte) int {
	pos := 0
	for pos < len(msg) {
		i := bytes.IndexByte(msg[pos:], '\n')
		if i < 0 {
			return len(msg)
		}
		line := msg[pos : pos+i]
		pos += i + 1
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return pos
		}
	}
	return len(msg)
}
