package pop3

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unstuffRef is the obvious line-by-line definition of what a POP3 client
// delivers; the fast reader must agree with it on every input. Lines end
// in CRLF, or with lf (a server that frames with bare LF) in LF too.
func unstuffRef(wire []byte, lf bool) (data []byte, rest []byte, ok bool) {
	var out []byte
	end := []byte("\r\n")
	if lf {
		end = []byte("\n")
	}
	for len(wire) > 0 {
		i := bytes.Index(wire, end)
		if i < 0 {
			return out, nil, false
		}
		line := wire[:i+len(end)]
		wire = wire[i+len(end):]
		if string(line) == ".\r\n" || string(line) == ".\n" {
			return out, wire, true
		}
		if line[0] == '.' {
			line = line[1:]
		}
		out = append(out, line...)
	}
	return out, nil, false
}

var dotCases = []struct {
	name, wire, want string
	lf               bool // the server frames with bare LF
}{
	{"reference example", "Hi\r\n..x\r\n.\r\n", "Hi\r\n.x\r\n", false},
	{"empty", ".\r\n", "", false},
	{"single line", "a\r\n.\r\n", "a\r\n", false},
	{"dot lines", "..\r\n...\r\n.a\r\n.\r\n", ".\r\n..\r\na\r\n", false},
	{"bare LF", "a\n..b\n.\n", "a\n.b\n", true},
	{"bare LF server, CRLF lines", "a\r\n..b\r\n.\r\n", "a\r\n.b\r\n", true},
	{"dot after a bare LF in CRLF data", "x\n.y\r\n.\r\n", "x\n.y\r\n", false},
	{"dot line after a bare LF in CRLF data", "x\n.\r\ny\r\n.\r\n", "x\n.\r\ny\r\n", false},
	{"dot LF after a bare LF in CRLF data", "x\n.\ny\n.\n\r\n.\r\n", "x\n.\ny\n.\n\r\n", false},
	{"dot LF at a CRLF line start", "a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", false},
	{"dot CR without LF", ".\rx\r\n.\r\n", "\rx\r\n", false},
	{"8-bit and NUL", "\xff\x00\xe9\r\n.\r\n", "\xff\x00\xe9\r\n", false},
	{"terminator-like inside line", "a.\r\n.b\r\n x.\r\n.\r\n", "a.\r\nb\r\n x.\r\n", false},
	// More than dotMisses dots inside lines: lineDot then looks for line
	// ends followed by a dot instead.
	{"dots inside lines, then a stuffed line", "a" + strings.Repeat(".", 20) + "\r\n..b\r\nx.y.z.w.v.u.t.s.r.q\r\n.\r\n", "a" + strings.Repeat(".", 20) + "\r\n.b\r\nx.y.z.w.v.u.t.s.r.q\r\n", false},
	{"many dots, then a dot after a bare LF", strings.Repeat(" .", 10) + "\n.x\r\n.\r\n", strings.Repeat(" .", 10) + "\n.x\r\n", false},
	{"many dots, bare LF server", strings.Repeat("a.", 10) + "\n..b\n.\n", strings.Repeat("a.", 10) + "\n.b\n", true},
	{"many dots, then the terminator", strings.Repeat(".", 30) + "\r\n.\r\n", strings.Repeat(".", 29) + "\r\n", false},
	{"long line", strings.Repeat("x", 200000) + "\r\n.\r\n", strings.Repeat("x", 200000) + "\r\n", false},
}

func TestDotReader(t *testing.T) {
	for _, tc := range dotCases {
		for _, bufSize := range []int{16, 4096} {
			for _, readSize := range []int{1, 2, 3, 7, 1 << 16} {
				src := bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(tc.wire+"NEXT")), bufSize)
				d := newDotReader(src, tc.lf)
				var got []byte
				buf := make([]byte, readSize)
				for {
					n, err := d.Read(buf)
					got = append(got, buf[:n]...)
					if err == io.EOF {
						break
					}
					require.NoError(t, err, tc.name)
				}
				assert.Equal(t, tc.want, string(got), "%s (buf %d, read %d)", tc.name, bufSize, readSize)
				rest, _ := io.ReadAll(src)
				assert.Equal(t, "NEXT", string(rest), "%s: reader must stop right after the terminator", tc.name)
			}
			// WriteTo, the io.Copy path.
			src := bufio.NewReaderSize(strings.NewReader(tc.wire+"NEXT"), bufSize)
			var w bytes.Buffer
			_, err := newDotReader(src, tc.lf).WriteTo(&w)
			require.NoError(t, err)
			assert.Equal(t, tc.want, w.String(), tc.name)
		}
	}
}

func TestDotReaderTruncated(t *testing.T) {
	for _, wire := range []string{"", "abc", "abc\r\n", "abc\r\n.", "abc\r\n.\r", "..x", "abc\n.\n", "abc\n.\r\n"} {
		d := newDotReader(bufio.NewReader(strings.NewReader(wire)), false)
		_, err := io.ReadAll(d)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "%q", wire)
		d = newDotReader(bufio.NewReader(strings.NewReader(wire)), false)
		_, err = d.WriteTo(io.Discard)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "%q", wire)
	}
}

func FuzzDotReader(f *testing.F) {
	for _, tc := range dotCases[:12] {
		f.Add([]byte(tc.wire), uint8(3), tc.lf)
	}
	f.Add([]byte("a\r\n.\r"), uint8(1), false)
	f.Add([]byte(strings.Repeat("x.", 12)+"\r\n..y\r\n.\r\n"), uint8(7), false)
	f.Fuzz(func(t *testing.T, wire []byte, rs uint8, lf bool) {
		want, rest, ok := unstuffRef(wire, lf)
		src := bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(wire)), 16)
		d := newDotReader(src, lf)
		buf := make([]byte, int(rs)+1)
		var got []byte
		var err error
		for {
			var n int
			n, err = d.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		// Whole buffers, as from a socket, reach lineDot's search for
		// line ends after many dots, which one byte at a time does not.
		var whole bytes.Buffer
		_, werr := newDotReader(bufio.NewReaderSize(bytes.NewReader(wire), 4096), lf).WriteTo(&whole)
		if ok {
			require.NoError(t, werr)
			require.Equal(t, want, whole.Bytes(), "WriteTo")
		}
		if ok {
			require.Equal(t, io.EOF, err, "terminated input")
			left, _ := io.ReadAll(src)
			require.Equal(t, rest, left, "left after the terminator")
			require.Equal(t, want, got)
		} else {
			require.Equal(t, io.ErrUnexpectedEOF, err, "unterminated input")
			require.True(t, bytes.HasPrefix(want, got) || bytes.HasPrefix(got, want), "partial data %q diverges from %q", got, want)
		}
	})
}

func TestAtEOF(t *testing.T) {
	for _, tc := range []struct {
		wire string
		at   []int // read sizes, AtEOF checked after each
		want []bool
	}{
		{"ab\r\n.\r\n", []int{4}, []bool{true}},
		{"ab\r\n..\r\n.\r\n", []int{4, 3}, []bool{false, true}},
		{"ab\r\ncd\r\n.\r\n", []int{2, 2, 4}, []bool{false, false, true}},
		{".\r\n", nil, []bool{true}},
	} {
		c := &Client{opts: Options{ReplyTimeout: time.Second}}
		br := bufio.NewReader(strings.NewReader(tc.wire + "+OK next\r\n"))
		m := &Message{verb: "RETR", c: c, d: newDotReader(br, false)}
		c.msg = m
		var got []bool
		if len(tc.at) == 0 {
			eof, err := m.AtEOF()
			require.NoError(t, err)
			got = append(got, eof)
		}
		for _, n := range tc.at {
			buf := make([]byte, n)
			_, err := io.ReadFull(m, buf)
			require.NoError(t, err)
			eof, err := m.AtEOF()
			require.NoError(t, err)
			got = append(got, eof)
		}
		assert.Equal(t, tc.want, got, tc.wire)
		rest, _ := io.ReadAll(br)
		if got[len(got)-1] {
			assert.Equal(t, "+OK next\r\n", string(rest), "terminator consumed, nothing more")
			n, err := m.Read(make([]byte, 4))
			assert.Equal(t, 0, n)
			assert.Equal(t, io.EOF, err)
		}
	}
}
