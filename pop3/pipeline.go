package pop3

import (
	"context"
	"errors"
	"io"
	"strconv"
)

// DefaultWindow is how many commands Fetch keeps in flight when the server
// advertises PIPELINING. It is small enough for any server's input buffer
// and large enough to hide the round trip.
const DefaultWindow = 64

// FetchOptions tune Fetch. The zero value retrieves, pipelined when the
// server allows it, and deletes nothing.
type FetchOptions struct {
	// Delete sends DELE for each message that fn accepted (returned nil for
	// after reading it to its end). Deletions take effect only at QUIT.
	Delete bool
	// Window is the most commands in flight when pipelining; zero means
	// DefaultWindow.
	Window int
	// NoPipelining sends one command at a time even if the server
	// advertises PIPELINING.
	NoPipelining bool
}

// Fetch retrieves the messages ids in order and hands each to fn. When the
// server advertises PIPELINING (RFC 2449), commands are sent ahead of the
// replies, from another goroutine so that neither side can block the other
// on a full socket buffer; otherwise one at a time.
//
// A DELE is sent for a message only after fn returned nil for it having read
// it to io.EOF, so a message the caller failed to keep is never deleted. If
// fn returns an error, no further message is retrieved, the replies already
// due are read, and Fetch returns that error. A -ERR for one message stops
// the fetch the same way and is returned as a *ResponseError.
func (c *Client) Fetch(ctx context.Context, ids []int, opts *FetchOptions, fn func(m *Message) error) error {
	var o FetchOptions
	if opts != nil {
		o = *opts
	}
	for _, id := range ids {
		if err := checkID(id); err != nil {
			return err
		}
	}
	window := 1
	if !o.NoPipelining {
		capa, err := c.Capa(ctx)
		var re *ResponseError
		switch {
		case err == nil && capa.Has("PIPELINING"):
			window = o.Window
			if window <= 0 {
				window = DefaultWindow
			}
		case err != nil && !errors.As(err, &re):
			return err
		}
	}
	if err := c.start(ctx); err != nil {
		return err
	}
	f := &fetch{c: c, ids: ids, window: window, lines: make(chan string, window), done: make(chan error, 1)}
	go f.write()
	err := f.run(o.Delete, fn)
	close(f.lines)
	if werr := <-f.done; werr != nil && c.err == nil {
		err = c.fail(werr)
	}
	return err
}

type fetchCmd struct {
	verb string
	id   int
}

type fetch struct {
	c       *Client
	ids     []int
	next    int // index in ids of the next RETR
	window  int
	stopped bool
	pending []fetchCmd // sent, reply not yet read; never longer than window
	dele    []int      // DELE to send
	lines   chan string
	done    chan error
}

// write sends the command lines, flushing whenever it has caught up. On a
// write error it closes the connection, which ends the reader's wait, and
// keeps draining lines so the reader never blocks on it.
func (f *fetch) write() {
	var err error
	for line := range f.lines {
		if err != nil {
			continue
		}
		f.c.bw.WriteString(line)
		if len(f.lines) == 0 {
			err = f.c.bw.Flush()
			if err != nil {
				f.c.conn.Close()
			}
		}
	}
	if err == nil {
		err = f.c.bw.Flush()
	}
	f.done <- err
}

// send fills the window: deletions first, then retrievals unless stopped.
func (f *fetch) send() {
	for len(f.pending) < f.window {
		var cmd fetchCmd
		switch {
		case len(f.dele) > 0:
			cmd = fetchCmd{"DELE", f.dele[0]}
			f.dele = f.dele[1:]
		case !f.stopped && f.next < len(f.ids):
			cmd = fetchCmd{"RETR", f.ids[f.next]}
			f.next++
		default:
			return
		}
		f.pending = append(f.pending, cmd)
		line := cmd.verb + " " + strconv.Itoa(cmd.id)
		if f.c.opts.DebugWriter != nil {
			io.WriteString(f.c.opts.DebugWriter, "C: "+line+"\n")
		}
		f.lines <- line + "\r\n"
	}
}

func (f *fetch) run(del bool, fn func(m *Message) error) error {
	var first error
	stop := func(err error) {
		if first == nil {
			first = err
		}
		f.stopped = true
	}
	for {
		f.send()
		if len(f.pending) == 0 {
			return first
		}
		cmd := f.pending[0]
		f.pending = f.pending[1:]
		text, err := f.c.readStatus(cmd.verb)
		var re *ResponseError
		switch {
		case errors.As(err, &re):
			stop(err)
			continue
		case err != nil:
			return err
		case cmd.verb == "DELE":
			continue
		}
		m := f.c.openMessage("RETR", cmd.id, parseOctets(text))
		if !f.stopped {
			if err := fn(m); err != nil {
				stop(err)
			} else if del && m.err == io.EOF {
				f.dele = append(f.dele, cmd.id)
			}
		}
		if err := m.Close(); err != nil {
			return err
		}
	}
}
