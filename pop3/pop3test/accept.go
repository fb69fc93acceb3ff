package pop3test

import (
	"errors"
	"net"
	"sync"
	"time"
)

// acceptor serves every connection of a listener in a goroutine of its own
// and can stop them all: the part Server and Scripted share.
type acceptor struct {
	ln   net.Listener
	done chan struct{} // closed when the server stops, to cut delays short
	wg   sync.WaitGroup

	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	sessions int
	active   int // sessions whose handler has not returned
	closed   bool
}

func newAcceptor(ln net.Listener) *acceptor {
	return &acceptor{ln: ln, done: make(chan struct{}), conns: make(map[net.Conn]struct{})}
}

// serve accepts until the listener closes, running handle for each
// connection with its number, from 1. logf, if not nil, hears of accept
// failures other than the listener closing.
func (a *acceptor) serve(handle func(c net.Conn, session int), logf func(format string, args ...any)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for {
			c, err := a.ln.Accept()
			if err != nil {
				if logf != nil && !errors.Is(err, net.ErrClosed) {
					logf("accept: %v", err)
				}
				return
			}
			a.mu.Lock()
			if a.closed {
				a.mu.Unlock()
				c.Close()
				return
			}
			a.conns[c] = struct{}{}
			a.sessions++
			a.active++
			n := a.sessions
			a.wg.Add(1)
			a.mu.Unlock()
			go func() {
				defer a.wg.Done()
				handle(c, n)
				a.mu.Lock()
				delete(a.conns, c)
				a.active--
				a.mu.Unlock()
			}()
		}
	}()
}

// stop closes the listener and every connection, then waits for the
// handlers to return. Only the first call does anything; it returns the
// listener's Close error.
func (a *acceptor) stop() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	close(a.done)
	conns := make([]net.Conn, 0, len(a.conns))
	for c := range a.conns {
		conns = append(conns, c)
	}
	a.mu.Unlock()

	err := a.ln.Close()
	for _, c := range conns {
		c.Close()
	}
	a.wg.Wait()
	return err
}

// idle waits until no session is running, polling, for at most timeout,
// and reports whether it got there.
func (a *acceptor) idle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		a.mu.Lock()
		n := a.active
		a.mu.Unlock()
		if n == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// count returns the number of connections accepted so far.
func (a *acceptor) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions
}

// sleep waits for d but gives up early when the server is stopping, so that
// fault and script delays cannot hold Close up. It reports whether the full
// time passed.
func (a *acceptor) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-a.done:
		return false
	}
}
