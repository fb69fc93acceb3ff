package pop3

import (
	"bufio"
	"bytes"
	"io"
)

// dotReader reads the data of a multi-line reply: it removes the leading
// dot of dot-stuffed lines and stops at the terminating ".", keeping every
// other byte, CRLF included (net/textproto's DotReader would turn CRLF into
// LF).
//
// Lines end in CRLF (RFC 1939 §3): a bare LF inside the data is data, so a
// dot after it is neither unstuffed nor a terminator. Only for a server that
// frames its own replies with bare LF (lf, decided from its greeting) does a
// bare LF end a line, and ".\n" end the data. Deciding it per session rather
// than per byte means a CRLF server's message is never cut short by a bare
// LF it carries.
//
// It scans the buffered data for dots that start a line (lineDot), so plain
// text moves at memchr speed; only lines that start with a dot take the slow
// path.
type dotReader struct {
	br   *bufio.Reader
	lf   bool // a bare LF ends a line (the server frames with LF)
	bol  bool // at the beginning of a line
	cr   bool // the last byte consumed was CR
	done bool
}

func newDotReader(br *bufio.Reader, lf bool) *dotReader {
	return &dotReader{br: br, lf: lf, bol: true}
}

// lineDot returns the index of the first dot that starts a line in buf,
// whose first byte is not at a line start, or -1; cr says whether the byte
// before buf was CR. It looks for dots rather than line ends because
// much of mail (base64 above all) has no dots at all, and then the search
// runs at memchr speed instead of stopping on every line. Text that has
// many dots (prose, addresses, logs, rules of dots) would stop it on
// every one, so after dotMisses dots inside lines it looks for line ends
// followed by a dot instead: no worse than one stop per line.
func (d *dotReader) lineDot(buf []byte) int {
	misses := 0
	for off := 1; off < len(buf); {
		var i int
		if misses < dotMisses {
			i = bytes.IndexByte(buf[off:], '.')
		} else {
			i = bytes.Index(buf[off-1:], nlDot) // the dot is at off-1+i+1
		}
		if i < 0 {
			return -1
		}
		off += i
		if buf[off-1] == '\n' && (d.lf || d.crAt(buf, off-2)) {
			return off
		}
		misses++
		off++
	}
	return -1
}

// dotMisses is how many dots inside lines lineDot skips before it looks
// for line ends instead.
const dotMisses = 8

var nlDot = []byte("\n.")

// crAt reports whether buf[i] is CR, i = -1 being the byte before buf.
func (d *dotReader) crAt(buf []byte, i int) bool {
	if i < 0 {
		return d.cr
	}
	return buf[i] == '\r'
}

// lineStart handles the first bytes of a line. It reports whether the
// terminator was consumed.
func (d *dotReader) lineStart() (bool, error) {
	b, err := d.br.Peek(2)
	if len(b) < 1 {
		return false, eofIsUnexpected(err)
	}
	d.cr = false // the line end before
	if b[0] != '.' {
		d.bol = false
		return false, nil
	}
	if len(b) < 2 {
		return false, eofIsUnexpected(err)
	}
	switch {
	case b[1] == '\n' && d.lf:
		d.br.Discard(2)
		d.done = true
		return true, nil
	case b[1] == '\r':
		b, err = d.br.Peek(3)
		if len(b) < 3 {
			return false, eofIsUnexpected(err)
		}
		if b[2] == '\n' {
			d.br.Discard(3)
			d.done = true
			return true, nil
		}
	}
	d.br.Discard(1) // the stuffed dot
	d.bol = false
	return false, nil
}

// chunk returns the next run of data that needs no unstuffing, at most max
// bytes, straight from the read buffer. The caller must consume it with
// d.br.Discard(len(chunk)) before the next read.
func (d *dotReader) chunk(max int) ([]byte, error) {
	for d.bol {
		if d.done {
			return nil, io.EOF
		}
		if _, err := d.lineStart(); err != nil {
			return nil, err
		}
		if d.done {
			return nil, io.EOF
		}
	}
	if d.br.Buffered() == 0 {
		if _, err := d.br.Peek(1); err != nil {
			return nil, eofIsUnexpected(err)
		}
	}
	buf, _ := d.br.Peek(min(d.br.Buffered(), max))
	if i := d.lineDot(buf); i >= 0 {
		buf = buf[:i]
	}
	last := len(buf) - 1
	d.bol = buf[last] == '\n' && (d.lf || d.crAt(buf, last-1))
	d.cr = buf[last] == '\r'
	return buf, nil
}

// atEOF reports whether the data has ended. At a line start it reads the
// terminator if that is what comes next, which may wait for the few bytes
// that decide it; inside a line the answer is no without reading.
func (d *dotReader) atEOF() (bool, error) {
	if d.bol && !d.done {
		if _, err := d.lineStart(); err != nil {
			return false, err
		}
	}
	return d.done, nil
}

func (d *dotReader) Read(p []byte) (int, error) {
	if d.done {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) {
		buf, err := d.chunk(len(p) - n)
		if err != nil {
			if err == io.EOF && n > 0 {
				return n, nil
			}
			return n, err
		}
		n += copy(p[n:], buf)
		d.br.Discard(len(buf))
		if d.br.Buffered() == 0 {
			// Return what we have rather than block for more.
			break
		}
	}
	return n, nil
}

// WriteTo writes the data to w straight from the read buffer, sparing the
// copy that io.Copy would make through an intermediate buffer.
func (d *dotReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		buf, err := d.chunk(bufferSize)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		n, werr := w.Write(buf)
		total += int64(n)
		d.br.Discard(len(buf))
		if werr != nil {
			return total, &writeError{werr}
		}
	}
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
