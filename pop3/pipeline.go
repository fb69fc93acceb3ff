package pop3

import (
	"context"
	"errors"
	"io"
	"strconv"
)

// DefaultWindow is the most commands Fetch keeps in flight when the server
// advertises PIPELINING and the caller sets no Window: enough to keep a
// path busy with small messages (1024 RETRs of 4 KiB cover the bytes a
// 100 Mbit/s path with a 300 ms round trip holds), while the commands
// themselves stay within what any server buffers (about 12 KiB).
const DefaultWindow = 1024

// DefaultMaxInFlight is the default budget of reply bytes in flight: the
// sizes LIST announced for the messages whose RETR was sent and whose data
// has not been read yet. It covers the bandwidth-delay product of a 1 Gbit/s
// path with a 30 ms round trip, so a fetch runs at what the path and the
// server deliver, and it bounds what a fetch stopped by its callback still
// has to read and throw away.
const DefaultMaxInFlight = 4 << 20

// replyOverhead is what a reply costs beyond its message data (status line,
// terminator) for the in-flight budget, so that empty messages count too.
const replyOverhead = 64

// FetchOptions tune Fetch. The zero value retrieves, pipelined when the
// server allows it, and deletes nothing.
type FetchOptions struct {
	// Delete sends DELE for each message that fn accepted by returning
	// nil. fn need not read the message: what it left is read first, and a
	// message that does not arrive whole fails the fetch and is not
	// deleted. Deletions take effect only at QUIT.
	Delete bool
	// Window is the most commands in flight when pipelining; zero means
	// DefaultWindow.
	Window int
	// MaxInFlight is the budget of reply bytes in flight when pipelining,
	// counted from the sizes LIST announces (the caller's own List earlier
	// in the session, or a LIST Fetch sends before the first RETR): a RETR
	// is sent only while the messages already asked for and not yet read
	// fit in it, except that one is always in flight, however large. Zero
	// means DefaultMaxInFlight; negative means no budget (Window alone
	// bounds the commands, and no LIST is sent).
	MaxInFlight int64
	// NoPipelining sends one command at a time even if the server
	// advertises PIPELINING.
	NoPipelining bool
}

// Fetch retrieves the messages ids in order and hands each to fn. When the
// server advertises PIPELINING (RFC 2449), commands are sent ahead of the
// replies, from another goroutine so that neither side can block the other
// on a full socket buffer; otherwise one at a time.
//
// A DELE is sent for a message only after fn returned nil for it and the
// message arrived whole: returning nil accepts the message, read or not
// (Fetch reads what fn left), so a message the caller failed to keep, by
// returning an error, or that the server cut short is never deleted. If
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
	var sizes map[int]int64
	budget := o.MaxInFlight
	if budget == 0 {
		budget = DefaultMaxInFlight
	}
	if !o.NoPipelining {
		capa, err := c.Capa(ctx)
		var re *ResponseError
		switch {
		case err == nil && capa.Has("PIPELINING"):
			window = o.Window
			if window <= 0 {
				window = DefaultWindow
			}
			window = min(window, len(ids)*2) // RETR and DELE for each at most
			if window > 1 && budget > 0 && len(ids) > 1 {
				// Without sizes, Window alone bounds the fetch; a failure
				// that broke the session is found by start below.
				if sizes = c.rememberedSizes(ids); sizes == nil {
					sizes, _ = c.listSizes(ctx, ids)
				}
			}
		case err != nil && !errors.As(err, &re):
			return err
		}
	}
	if err := c.start(ctx); err != nil {
		return err
	}
	window = max(window, 1)
	f := &fetch{c: c, ids: ids, window: window, sizes: sizes, budget: budget,
		lines: make(chan []byte, window), done: make(chan error, 1)}
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
	cost int64 // bytes of its reply, for the in-flight budget
}

type fetch struct {
	c       *Client
	ids     []int
	next    int // index in ids of the next RETR
	window  int
	stopped bool
	pending []fetchCmd    // sent, reply not yet read; never longer than window
	sizes   map[int]int64 // LIST's sizes; nil when not asked or refused
	budget  int64         // reply bytes in flight allowed, when sizes is set
	flight  int64         // reply bytes of pending, as sizes announces them
	dele    []int         // DELE to send
	lines   chan []byte   // batches of command lines for write
	done    chan error
}

// write sends the batches of command lines. On a write error it closes
// the connection, which ends the reader's wait, and keeps draining so the
// reader never blocks on it.
func (f *fetch) write() {
	var err error
	for batch := range f.lines {
		if err != nil {
			continue
		}
		if _, err = f.c.dc.Write(batch); err != nil {
			f.c.conn.Close()
		}
	}
	f.done <- err
}

// send refills the window, deletions first, then retrievals unless
// stopped, once it has drained to half (in commands and, with sizes, in
// reply bytes) or empty. Refilling in batches rather than after every
// reply wakes the writer once per batch instead of once per message, and
// half a window in flight still keeps the path busy.
func (f *fetch) send() {
	if len(f.pending) > 0 && (2*len(f.pending) > f.window || f.sizes != nil && 2*f.flight > f.budget) {
		return
	}
	var batch []byte
	for len(f.pending) < f.window {
		var cmd fetchCmd
		switch {
		case len(f.dele) > 0:
			cmd = fetchCmd{"DELE", f.dele[0], replyOverhead}
			f.dele = f.dele[1:]
		case !f.stopped && f.next < len(f.ids):
			cmd = fetchCmd{"RETR", f.ids[f.next], replyOverhead + f.sizes[f.ids[f.next]]}
			if f.sizes != nil && len(f.pending) > 0 && f.flight+cmd.cost > f.budget {
				f.flush(batch)
				return
			}
			f.next++
		default:
			f.flush(batch)
			return
		}
		f.flight += cmd.cost
		f.pending = append(f.pending, cmd)
		start := len(batch)
		batch = append(batch, cmd.verb...)
		batch = append(batch, ' ')
		batch = strconv.AppendInt(batch, int64(cmd.id), 10)
		if f.c.opts.DebugWriter != nil {
			io.WriteString(f.c.opts.DebugWriter, "C: "+string(batch[start:])+"\n")
		}
		batch = append(batch, '\r', '\n')
	}
	f.flush(batch)
}

// flush hands a batch to the writer; the channel holds a batch per
// command in flight at most, so this never blocks.
func (f *fetch) flush(batch []byte) {
	if len(batch) > 0 {
		f.lines <- batch
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
		f.flight -= cmd.cost
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
			} else if del {
				// Accepted: read the rest, so that a broken message
				// still fails instead of being deleted.
				if err := m.Close(); err != nil {
					return err
				}
				f.dele = append(f.dele, cmd.id)
			}
		}
		if err := m.Close(); err != nil {
			return err
		}
	}
}

// rememberedSizes returns the sizes of the messages ids from this
// session's last LIST, or nil when there was none or it left one of them
// out.
func (c *Client) rememberedSizes(ids []int) map[int]int64 {
	if c.listed == nil {
		return nil
	}
	sizes := make(map[int]int64, len(ids))
	for _, id := range ids {
		if id >= len(c.listed) || c.listed[id] < 0 {
			return nil
		}
		sizes[id] = c.listed[id]
	}
	return sizes
}

// listSizes asks LIST for the sizes of the messages ids, keeping only
// theirs: a large maildrop's listing is not held in memory. A message LIST
// leaves out counts as size 0.
func (c *Client) listSizes(ctx context.Context, ids []int) (map[int]int64, error) {
	sizes := make(map[int]int64, len(ids))
	for _, id := range ids {
		sizes[id] = 0
	}
	if _, err := c.cmd(ctx, "LIST"); err != nil {
		return nil, err
	}
	seen := c.newListing("LIST")
	err := c.readLines("LIST", func(line []byte) error {
		id, arg, err := seen.parse(line)
		if err != nil {
			return err
		}
		if _, ok := sizes[id]; !ok {
			return nil
		}
		size, err := parseSize("LIST", arg)
		if err != nil {
			return err
		}
		sizes[id] = size
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sizes, nil
}
