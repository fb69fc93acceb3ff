package pop3test

import (
	"errors"
	"io"
	"net"
	"time"
)

// Faults makes the server misbehave on purpose, to exercise a client's
// handling of slow, broken or hostile servers. The zero value injects
// nothing. Byte counts refer to the POP3 stream, i.e. the plaintext inside
// TLS.
type Faults struct {
	// WriteChunk splits everything the server sends into writes of at most
	// this many bytes, each sent on its own, so replies and terminators
	// straddle TCP segments (1 = byte by byte). 0 means no splitting.
	WriteChunk int
	// ChunkDelay is slept between consecutive writes when WriteChunk is set.
	ChunkDelay time.Duration
	// CloseAfterBytes closes the connection once this many bytes have been
	// sent in total (0 = never).
	CloseAfterBytes int64
	// ResetAfterBytes is like CloseAfterBytes but aborts the connection
	// with a TCP RST. As with a real reset, bytes the peer has not received
	// yet may be lost. If both are set, the smaller count wins.
	ResetAfterBytes int64
	// Greeting, if not empty, is sent verbatim instead of the greeting
	// (e.g. "-ERR busy\r\n"). The session then goes on as usual unless
	// CloseAfterGreeting is set. APOP uses the configured timestamp
	// whatever this text holds.
	Greeting string
	// CloseAfterGreeting closes the connection right after the greeting.
	CloseAfterGreeting bool
	// NoGreeting sends nothing on connect; commands are still answered.
	NoGreeting bool
	// Reply, if set, is called for every line received (without the line
	// terminator), SASL responses included. If it returns ok, raw is sent
	// verbatim instead of the normal reply and the command is not
	// executed; raw may hold several replies, garbage or no CRLF at all.
	// A SASL exchange interrupted this way is abandoned. If close is true
	// the connection is closed after raw is sent. It is called from the
	// session goroutines.
	Reply func(cmd string) (raw string, close bool, ok bool)
	// DropBeforeQuitReply closes the connection when QUIT arrives, without
	// replying and without committing deletions.
	DropBeforeQuitReply bool
}

// errFaultClosed ends a session whose connection a fault has closed.
var errFaultClosed = errors.New("pop3test: connection closed by fault injection")

// faultWriter sits between the session's bufio.Writer and the connection
// (TLS or not) so that every byte the server sends, however it was
// produced, is subject to the faults.
type faultWriter struct {
	srv     *Server
	f       *Faults
	w       io.Writer // the current connection; replaced after STLS
	raw     net.Conn  // the TCP connection, for closing and RST
	n       int64     // bytes sent so far
	started bool      // a chunk has been sent, so ChunkDelay applies
}

func (fw *faultWriter) limit() (n int64, reset bool) {
	c, r := fw.f.CloseAfterBytes, fw.f.ResetAfterBytes
	switch {
	case r > 0 && (c <= 0 || r <= c):
		return r, true
	case c > 0:
		return c, false
	}
	return 0, false
}

func (fw *faultWriter) Write(p []byte) (int, error) {
	lim, reset := fw.limit()
	cut := lim > 0 && fw.n+int64(len(p)) >= lim
	if cut {
		p = p[:max(lim-fw.n, 0)]
	}
	total := 0
	for len(p) > 0 {
		chunk := p
		if fw.f.WriteChunk > 0 && len(chunk) > fw.f.WriteChunk {
			chunk = chunk[:fw.f.WriteChunk]
		}
		if fw.started && fw.f.WriteChunk > 0 && !fw.srv.sleep(fw.f.ChunkDelay) {
			return total, net.ErrClosed
		}
		fw.started = true
		n, err := fw.w.Write(chunk)
		fw.n += int64(n)
		total += n
		if err != nil {
			return total, err
		}
		p = p[n:]
	}
	if cut {
		if tc, ok := fw.raw.(*net.TCPConn); ok && reset {
			tc.SetLinger(0)
		}
		fw.raw.Close()
		return total, errFaultClosed
	}
	return total, nil
}
