// Package bigmsg streams messages larger than memory for the stress tests:
// a generator of the wire form of a message of any size, and a scripted
// server whose maildrop is one such message.
package bigmsg

import (
	"bytes"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"strconv"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// Message generates, on the fly, the wire form of a message of a given
// size (a multiple of 1024) without ever holding it: lines of 1024 bytes,
// CRLF included, each starting with its number, one in 1000 starting with
// a dot (stuffed on the wire), then the ".\r\n" terminator. It is meant for
// SendFrom, to stream messages larger than memory (1 GiB in the stress
// tests).
type Message struct {
	lines, next int64
	buf         bytes.Buffer
	sum         hash.Hash64
	line        [1024]byte
}

// NewMessage returns a generator of a message of size octets as stored
// (size is rounded down to a multiple of 1024).
func NewMessage(size int64) *Message {
	m := &Message{lines: size / 1024, sum: fnv.New64a()}
	for i := range m.line {
		m.line[i] = 'a' + byte(i%26)
	}
	m.line[1022], m.line[1023] = '\r', '\n'
	return m
}

// Read yields the wire form, 64 lines at a time, then io.EOF.
func (m *Message) Read(p []byte) (int, error) {
	for m.buf.Len() == 0 {
		if m.next > m.lines {
			return 0, io.EOF
		}
		if m.next == m.lines {
			m.buf.WriteString(".\r\n")
			m.next++
			break
		}
		for k := 0; k < 64 && m.next < m.lines; k++ {
			line := m.line
			start := 0
			if m.next%1000 == 0 {
				line[0] = '.'
				start = 1
			}
			n := strconv.AppendInt(line[start:start], m.next, 10)
			line[start+len(n)] = ' '
			m.sum.Write(line[:])
			if line[0] == '.' {
				m.buf.WriteByte('.')
			}
			m.buf.Write(line[:])
			m.next++
		}
	}
	return m.buf.Read(p)
}

// Sum64 returns the FNV-1a (64 bits) of the stored form of what Read has
// yielded so far: the whole message's once Read returned io.EOF.
func (m *Message) Sum64() uint64 { return m.sum.Sum64() }

// Server is a pop3test.Scripted server whose maildrop is one generated
// message (see Message), for streaming tests: it greets with an APOP
// timestamp, accepts any USER/PASS or APOP login, answers STAT, sends the
// message on RETR 1, then answers QUIT until the client hangs up.
type Server struct {
	*pop3test.Scripted
	gen *Message
}

// NewServer starts a Server holding one message of size
// octets (a multiple of 1024).
func NewServer(size int64) (*Server, error) {
	s := &Server{}
	srv, err := pop3test.NewScripted(
		pop3test.SendLine("+OK ready <1.2@stress>"),
		pop3test.Respond("RETR 1", map[string]string{"USER ": "+OK\r\n", "PASS ": "+OK\r\n", "APOP ": "+OK\r\n", "STAT": fmt.Sprintf("+OK 1 %d\r\n", size)}),
		pop3test.SendLine(fmt.Sprintf("+OK %d octets", size)),
		pop3test.SendFrom(func() io.Reader { s.gen = NewMessage(size); return s.gen }),
		pop3test.Respond("", map[string]string{"QUIT": "+OK bye\r\n"}),
	)
	if err != nil {
		return nil, err
	}
	s.Scripted = srv
	return s, nil
}

// Sum64 returns the FNV-1a (64 bits) of the stored form of the message the
// last session was sent, 0 if none was. Call it after Close, which waits
// until the generator is done.
func (s *Server) Sum64() uint64 {
	if s.gen == nil {
		return 0
	}
	return s.gen.Sum64()
}
