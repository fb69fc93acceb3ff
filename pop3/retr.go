package pop3

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Message is the data of one message as the server sends it for RETR or
// TOP: an io.Reader of exactly the stored bytes (dot-stuffing removed, CRLF
// kept, the terminating "." line removed) that ends with io.EOF. It streams:
// memory does not grow with the message.
//
// It is valid until the next call on the Client, which first reads and
// discards whatever is left of it.
type Message struct {
	// ID is the message number.
	ID int
	// Size is the octet count the server announced on the +OK line, or -1
	// if it announced none. It is the server's claim, not a promise.
	Size int64

	verb string
	c    *Client
	d    *dotReader
	err  error
}

// Read reads message data. A connection that ends before the terminator
// gives io.ErrUnexpectedEOF (wrapped), never a silent short message.
func (m *Message) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	n, err := m.d.Read(p)
	return n, m.finish(err)
}

// AtEOF reports whether the message has no more data, without returning
// any: it lets a caller that fills fixed-size buffers (NetX packets) mark
// the buffer holding the last data as final. It may wait for the next few
// bytes from the server when they decide the answer.
func (m *Message) AtEOF() (bool, error) {
	if m.err != nil {
		if m.err == io.EOF {
			return true, nil
		}
		return false, m.err
	}
	done, err := m.d.atEOF()
	if err != nil {
		return false, m.finish(err)
	}
	if done {
		m.finish(io.EOF)
	}
	return done, nil
}

// WriteTo writes the rest of the message to w; io.Copy uses it.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	if m.err != nil {
		if m.err == io.EOF {
			return 0, nil
		}
		return 0, m.err
	}
	n, err := m.d.WriteTo(w)
	if err == nil {
		err = io.EOF
	}
	err = m.finish(err)
	var we *writeError
	switch {
	case err == io.EOF:
		return n, nil
	case errors.As(err, &we):
		return n, we.err
	}
	return n, err
}

// finish records the end of the data or a failure that ends the session.
func (m *Message) finish(err error) error {
	switch {
	case err == nil:
		return nil
	case err == io.EOF:
		m.err = io.EOF
		if m.c.msg == m {
			m.c.msg = nil
			m.c.releaseReader()
		}
		return io.EOF
	case m.d.done || isWriteSide(err):
		return err
	}
	m.err = m.c.netErr(m.verb, err)
	m.c.msg = nil
	return m.err
}

// isWriteSide tells a failure of the caller's writer in WriteTo, which does
// not break the session, from a failure to read from the server.
func isWriteSide(err error) bool {
	var we *writeError
	return errors.As(err, &we)
}

// writeError marks an error of the writer given to WriteTo.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// Close discards the rest of the message, leaving the session ready for the
// next command.
func (m *Message) Close() error {
	if m.err == io.EOF {
		return nil
	}
	_, err := io.Copy(io.Discard, m)
	return err
}

// Retr retrieves message id (RETR). Read the returned Message to its end, or
// let the next call on the Client do so.
func (c *Client) Retr(ctx context.Context, id int) (*Message, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	text, err := c.cmd(ctx, "RETR", strconv.Itoa(id))
	if err != nil {
		return nil, err
	}
	return c.openMessage("RETR", id, parseOctets(text)), nil
}

// Top retrieves the header of message id and the first lines lines of its
// body (TOP, RFC 1939 optional command).
func (c *Client) Top(ctx context.Context, id, lines int) (*Message, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	if lines < 0 {
		return nil, ErrInvalidArgument
	}
	if _, err := c.cmd(ctx, "TOP", strconv.Itoa(id), strconv.Itoa(lines)); err != nil {
		return nil, err
	}
	return c.openMessage("TOP", id, -1), nil
}

func (c *Client) openMessage(verb string, id int, size int64) *Message {
	m := &Message{ID: id, Size: size, verb: verb, c: c, d: newDotReader(c.reader(), c.bareLF)}
	c.msg = m
	return m
}

// parseOctets reads the size a +OK line of RETR announces ("+OK 120
// octets"), or -1.
func parseOctets(text string) int64 {
	f := strings.Fields(text)
	if len(f) == 0 {
		return -1
	}
	n, err := strconv.ParseUint(f[0], 10, 63)
	if err != nil {
		return -1
	}
	return int64(n)
}
