package pop3test

import (
	"bytes"
)

var (
	nlDot = []byte("\n.")
	crlf  = []byte("\r\n")
)

// sendData writes data as the body of a multi-line reply: dot-stuffed,
// with a CRLF appended if a non-empty message lacks one, then the ".\r\n"
// terminator. Errors stick in the bufio.Writer and end the session at the
// next flush.
//
// Only the lines that start with a dot need an extra byte, so the search
// is for "\n." and everything between hits goes to the writer in one
// piece; bufio passes large pieces straight to the connection, so a big
// message is never copied.
func (ss *session) sendData(data []byte) {
	w := ss.w
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

// top returns the header, the blank line and the first n body lines of msg
// (RFC 1939 TOP). A message without a blank line is all header.
func top(msg []byte, n int) []byte {
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
