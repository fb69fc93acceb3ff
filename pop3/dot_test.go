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
// delivers; the fast reader must agree with it on every input.
func unstuffRef(wire []byte) (data []byte, rest []byte, ok bool) {
	var out []byte
	for len(wire) > 0 {
		i := bytes.IndexByte(wire, '\n')
		if i < 0 {
			return out, nil, false
		}
		line := wire[:i+1]
		wire = wire[i+1:]
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
}{
	{"reference example", "Hi\r\n..x\r\n.\r\n", "Hi\r\n.x\r\n"},
	{"empty", ".\r\n", ""},
	{"single line", "a\r\n.\r\n", "a\r\n"},
	{"dot lines", "..\r\n...\r\n.a\r\n.\r\n", ".\r\n..\r\na\r\n"},
	{"bare LF", "a\n..b\n.\n", "a\n.b\n"},
	{"dot CR without LF", ".\rx\r\n.\r\n", "\rx\r\n"},
	{"8-bit and NUL", "\xff\x00\xe9\r\n.\r\n", "\xff\x00\xe9\r\n"},
	{"terminator-like inside line", "a.\r\n.b\r\n x.\r\n.\r\n", "a.\r\nb\r\n x.\r\n"},
	{"long line", strings.Repeat("x", 200000) + "\r\n.\r\n", strings.Repeat("x", 200000) + "\r\n"},
}

func TestDotReader(t *testing.T) {
	for _, tc := range dotCases {
		for _, bufSize := range []int{16, 4096} {
			for _, readSize := range []int{1, 2, 3, 7, 1 << 16} {
				src := bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(tc.wire+"NEXT")), bufSize)
				d := newDotReader(src)
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
			_, err := newDotReader(src).WriteTo(&w)
			require.NoError(t, err)
			assert.Equal(t, tc.want, w.String(), tc.name)
		}
	}
}

func TestDotReaderTruncated(t *testing.T) {
	for _, wire := range []string{"", "abc", "abc\r\n", "abc\r\n.", "abc\r\n.\r", "..x"} {
		d := newDotReader(bufio.NewReader(strings.NewReader(wire)))
		_, err := io.ReadAll(d)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "%q", wire)
		d = newDotReader(bufio.NewReader(strings.NewReader(wire)))
		_, err = d.WriteTo(io.Discard)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "%q", wire)
	}
}

func FuzzDotReader(f *testing.F) {
	for _, tc := range dotCases[:8] {
		f.Add([]byte(tc.wire), uint8(3))
	}
	f.Add([]byte("a\r\n.\r"), uint8(1))
	f.Fuzz(func(t *testing.T, wire []byte, rs uint8) {
		want, rest, ok := unstuffRef(wire)
		src := bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(wire)), 16)
		d := newDotReader(src)
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
		m := &Message{verb: "RETR", c: c, d: newDotReader(br)}
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
