package pop3

import (
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// threadConn is a TCP connection whose reads and writes wait on the
// calling OS thread, in the kernel (ppoll with the deadline as its
// timeout), instead of parking the goroutine in the Go netpoller. A
// goroutine locked to a C thread (every call from C is) that parks must be
// woken by another thread once the netpoller sees the socket ready: two or
// three context switches and a trip through the scheduler per reply.
//
// The socket is a duplicate of the dialed one, which is then closed, so
// the runtime's epoll set no longer holds it: otherwise every segment
// that arrives, and every ACK that frees send space, wakes a thread
// waiting in the netpoller although no goroutine waits there. What is
// left is the one switch a blocking C client pays per reply.
//
// A read deadline moved into the past, or Close, ends a wait in progress
// by shutting the socket down, which wakes ppoll: the connection is
// unusable afterwards, which is what the Client makes of any I/O error
// anyway. The descriptor is closed when the last wait on it has ended, so
// that a concurrent Close never lets a wait touch a reused number.
type threadConn struct {
	fd            int           // valid while open or in use
	open          *atomic.Int64 // fd until closed, then -1; shared with the cleanup
	local, remote net.Addr

	mu        sync.Mutex
	deadline  time.Time // for reads
	wdeadline time.Time
	users     int   // reads, writes and peeks using fd now
	closed    bool  // Close was called; fd is closed once users is 0
	shut      error // why the socket was shut down to end a wait
	replyDue  bool  // a command was written and its reply not yet read

	yielded atomic.Int64 // when yield last let the scheduler run, as since monoBase
}

// waitInThread wraps conn for Options.WaitInThread; connections other
// than TCP, and any whose socket cannot be taken over, keep the
// netpoller.
func waitInThread(conn net.Conn) net.Conn {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return conn
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return conn
	}
	fd := -1
	rc.Control(func(s uintptr) {
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		if errno == 0 {
			fd = int(r)
		}
	})
	if fd < 0 {
		return conn
	}
	t := &threadConn{fd: fd, open: new(atomic.Int64), local: tc.LocalAddr(), remote: tc.RemoteAddr()}
	t.open.Store(int64(fd))
	// A connection dropped without Close gives its socket back, as the
	// runtime's own connections do.
	runtime.AddCleanup(t, closeFD, t.open)
	// The duplicate keeps the connection open; closing the runtime's
	// descriptor takes the socket out of its epoll set. The socket stays
	// non-blocking: the flag belongs to the shared open file.
	tc.Close()
	return t
}

// acquire marks fd in use, failing once the connection is closed or shut.
// For a read it also reports, and clears, replyDue.
func (t *threadConn) acquire(op string, write bool) (deadline time.Time, replyDue bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return deadline, false, t.opErr(op, net.ErrClosed)
	case t.shut != nil:
		return deadline, false, t.opErr(op, t.shut)
	}
	t.users++
	if write {
		return t.wdeadline, false, nil
	}
	replyDue, t.replyDue = t.replyDue, false
	return t.deadline, replyDue, nil
}

// release ends a use of fd and closes it if Close came meanwhile. It
// returns why the socket was shut, if it was: an error or EOF seen after
// that is not the server's.
func (t *threadConn) release() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.users--
	if t.closed && t.users == 0 {
		closeFD(t.open)
	}
	return t.shut
}

func (t *threadConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	t.yield()
	// Right after a command the reply is rarely there yet: waiting first
	// saves the read that would only say EAGAIN.
	deadline, pollFirst, err := t.acquire("read", false)
	if err != nil {
		return 0, err
	}
	n, rerr := t.ioWait(p, deadline, false, pollFirst)
	shut := t.release()
	switch {
	case n > 0:
		return n, nil
	case shut != nil:
		return 0, t.opErr("read", shut)
	case rerr != nil:
		return 0, t.opErr("read", rerr)
	}
	return 0, io.EOF
}

// Write writes all of p, waiting in ppoll while the socket buffer is full.
// It keeps its deadline itself too: a deadline set through the runtime
// arms a timer that wakes the netpoller's thread at every renewal.
func (t *threadConn) Write(p []byte) (int, error) {
	deadline, _, err := t.acquire("write", true)
	if err != nil {
		return 0, err
	}
	var n int
	var werr error
	for n < len(p) && werr == nil {
		var k int
		k, werr = t.ioWait(p[n:], deadline, true, false)
		n += k
	}
	if shut := t.release(); shut != nil && werr != nil {
		werr = shut
	}
	if n > 0 {
		t.mu.Lock()
		t.replyDue = true
		t.mu.Unlock()
	}
	return n, t.opErr("write", werr)
}

// ioWait reads from or writes to the non-blocking socket, waiting in
// ppoll until it is ready or the deadline passed; pollFirst waits before
// the first attempt.
func (t *threadConn) ioWait(p []byte, deadline time.Time, write, pollFirst bool) (int, error) {
	events := int16(pollIn)
	if write {
		events = pollOut
	}
	for {
		if !pollFirst {
			var n int
			var err error
			if write {
				n, err = syscall.Write(t.fd, p)
			} else {
				n, err = syscall.Read(t.fd, p)
			}
			switch err {
			case nil:
				return n, nil
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
			default:
				return 0, err
			}
		}
		pollFirst = false
		var ts *syscall.Timespec
		if !deadline.IsZero() {
			d := time.Until(deadline)
			if d <= 0 {
				return 0, os.ErrDeadlineExceeded
			}
			v := syscall.NsecToTimespec(int64(d))
			ts = &v
		}
		pfd := pollFd{fd: int32(t.fd), events: events}
		_, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(ts)), 0, 0, 0)
		if errno != 0 && errno != syscall.EINTR {
			return 0, errno
		}
		// Ready, hung up, timed out or interrupted: the next attempt or
		// the deadline check tells which.
	}
}

// yieldEvery is how often yield reschedules: under the runtime's 10 ms
// limit for one goroutine's turn on its processor.
const yieldEvery = 8 * time.Millisecond

// monoBase makes yield's clock monotonic.
var monoBase = time.Now()

// yield lets the scheduler run at most every yieldEvery; every Read calls
// it. A goroutine driven from a C thread, which waits in system calls and
// calls back into C but never parks, does not go through the scheduler,
// so after 10 ms the runtime's monitor thread takes it for one that hogs
// its processor: it preempts it, takes the processor away, and then polls
// every 20 µs for the next millisecond or more, a context switch each
// time, on a core the server may need. Rescheduling before that costs
// three switches or so instead of about sixty.
func (t *threadConn) yield() {
	now := int64(time.Since(monoBase))
	if last := t.yielded.Load(); now-last >= int64(yieldEvery) && t.yielded.CompareAndSwap(last, now) {
		runtime.Gosched()
	}
}

type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const (
	pollIn  = 0x1
	pollOut = 0x4
)

func (t *threadConn) opErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return &net.OpError{Op: op, Net: "tcp", Source: t.local, Addr: t.remote, Err: err}
}

// wakeLocked ends a wait in progress, which then fails with why; t.mu is
// held.
func (t *threadConn) wakeLocked(why error) {
	if t.users > 0 && t.shut == nil && t.open.Load() >= 0 {
		t.shut = why
		syscall.Shutdown(t.fd, syscall.SHUT_RDWR)
	}
}

// LocalAddr returns the local network address.
func (t *threadConn) LocalAddr() net.Addr { return t.local }

// RemoteAddr returns the server's network address.
func (t *threadConn) RemoteAddr() net.Addr { return t.remote }

// SetReadDeadline bounds reads; a deadline in the past ends a read in
// progress.
func (t *threadConn) SetReadDeadline(d time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.deadline = d
	if !d.IsZero() && !d.After(time.Now()) {
		t.wakeLocked(os.ErrDeadlineExceeded)
	}
	return nil
}

// SetWriteDeadline bounds later writes. A write waits only while the
// socket buffer is full, for a server that stopped reading; a deadline in
// the past does not end a write in progress, Close does.
func (t *threadConn) SetWriteDeadline(d time.Time) error {
	t.mu.Lock()
	t.wdeadline = d
	t.mu.Unlock()
	return nil
}

// SetDeadline sets both deadlines.
func (t *threadConn) SetDeadline(d time.Time) error {
	t.SetWriteDeadline(d)
	return t.SetReadDeadline(d)
}

// Close ends a wait in progress and closes the socket, at once or when
// that wait has let go of it.
func (t *threadConn) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return t.opErr("close", net.ErrClosed)
	}
	t.wakeLocked(net.ErrClosed)
	t.closed = true
	if t.users == 0 {
		closeFD(t.open)
	}
	return nil
}

// closeFD closes the descriptor in open once.
func closeFD(open *atomic.Int64) {
	if fd := open.Swap(-1); fd >= 0 {
		syscall.Close(int(fd))
	}
}

// SyscallConn lets waitingOnSocket peek at the socket.
func (t *threadConn) SyscallConn() (syscall.RawConn, error) { return threadRaw{t}, nil }

// threadRaw is threadConn's syscall.RawConn; only Control is used.
type threadRaw struct{ t *threadConn }

func (r threadRaw) Control(f func(fd uintptr)) error {
	// Asked as a write would be, so that a peek leaves replyDue to the read.
	if _, _, err := r.t.acquire("control", true); err != nil {
		return err
	}
	f(uintptr(r.t.fd))
	r.t.release()
	return nil
}

func (r threadRaw) Read(func(fd uintptr) bool) error  { return syscall.EINVAL }
func (r threadRaw) Write(func(fd uintptr) bool) error { return syscall.EINVAL }
