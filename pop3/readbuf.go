package pop3

import (
	"bufio"
	"sync"
)

// readers holds the 64 KiB read buffers of sessions that are idle. A
// session holds one only while a reply is arriving: a gateway keeping many
// sessions open between downloads would otherwise keep a buffer per session,
// every page of it touched by the last large message.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufferSize) }}

// commands holds buffers for command lines, so that sending one allocates
// nothing and an idle session holds no write buffer.
var commands = sync.Pool{New: func() any { return new([]byte) }}

// writeCommand sends line and its CRLF in one write. The buffer is wiped
// before it goes back to the pool: the line may hold a password.
func (c *Client) writeCommand(line string) error {
	bp := commands.Get().(*[]byte)
	b := append(append((*bp)[:0], line...), '\r', '\n')
	_, err := c.dc.Write(b)
	clear(b)
	*bp = b[:0]
	commands.Put(bp)
	return err
}

// reader returns the session's read buffer, taking one from the pool if the
// session gave its own back.
func (c *Client) reader() *bufio.Reader {
	if c.br == nil {
		c.br = readers.Get().(*bufio.Reader)
		c.br.Reset(c.dc)
	}
	return c.br
}

// buffered is how many bytes were received and not yet consumed.
func (c *Client) buffered() int {
	if c.br == nil {
		return 0
	}
	return c.br.Buffered()
}

// releaseReader gives the read buffer back when a reply has been read to
// its end and nothing else has arrived: the bytes of a next reply, already
// buffered, must stay where the next read will look for them.
func (c *Client) releaseReader() {
	if c.br == nil || c.br.Buffered() > 0 || c.msg != nil {
		return
	}
	c.br.Reset(nil) // the pool must not keep the connection reachable
	readers.Put(c.br)
	c.br = nil
}
