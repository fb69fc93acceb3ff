package pop3

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// threadConn is a TCP connection whose reads wait for data on the calling
// OS thread, in the kernel (ppoll with the read deadline as its timeout),
// instead of parking the goroutine in the Go netpoller. A goroutine locked
// to a C thread (every call from C is) that parks must be woken by another
// thread once the netpoller sees the socket ready: two or three context
// switches and a trip through the scheduler per reply. Waiting in the
// kernel costs the one switch a blocking C client pays. Writes, which do not
// wait when the socket buffer has room, still go through the netpoller.
//
// A read deadline moved into the past, or Close, ends a wait in progress
// by shutting the socket down, which wakes ppoll: the connection is
// unusable afterwards, which is what the Client makes of any I/O error
// anyway.
type threadConn struct {
	*net.TCPConn
	rc syscall.RawConn

	mu        sync.Mutex
	deadline  time.Time // for reads
	wdeadline time.Time
	reading   bool  // a Read is in progress
	writing   bool  // a Write is in progress
	shut      error // why the socket was shut down for reading to end a wait
}

// waitInThread wraps conn for Options.WaitInThread; connections other
// than TCP keep the netpoller.
func waitInThread(conn net.Conn) net.Conn {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return conn
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return conn
	}
	return &threadConn{TCPConn: tc, rc: rc}
}

func (t *threadConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	t.mu.Lock()
	deadline, shut := t.deadline, t.shut
	t.reading = true
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.reading = false
		t.mu.Unlock()
	}()
	if shut != nil {
		return 0, t.opErr("read", shut)
	}
	var n int
	var rerr error
	err := t.rc.Read(func(fd uintptr) bool {
		n, rerr = t.ioWait(int(fd), p, deadline, false)
		return true // never wait in the netpoller
	})
	if err != nil {
		return 0, t.opErr("read", err)
	}
	if rerr != nil || n == 0 {
		// After our own shutdown, the EOF or error is not the server's.
		t.mu.Lock()
		shut = t.shut
		t.mu.Unlock()
		switch {
		case shut != nil:
			return 0, t.opErr("read", shut)
		case rerr != nil:
			return 0, t.opErr("read", rerr)
		}
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of p, waiting in ppoll while the socket buffer is full.
// It keeps its deadline itself too: a deadline set through the runtime
// arms a timer that wakes the netpoller's thread at every renewal.
func (t *threadConn) Write(p []byte) (int, error) {
	t.mu.Lock()
	deadline, shut := t.wdeadline, t.shut
	t.writing = true
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.writing = false
		t.mu.Unlock()
	}()
	if shut != nil {
		return 0, t.opErr("write", shut)
	}
	var n int
	var werr error
	err := t.rc.Write(func(fd uintptr) bool {
		for n < len(p) && werr == nil {
			var k int
			k, werr = t.ioWait(int(fd), p[n:], deadline, true)
			n += k
		}
		return true
	})
	if err == nil {
		err = werr
	}
	return n, t.opErr("write", err)
}

// ioWait reads from or writes to the non-blocking socket fd, waiting in
// ppoll until it is ready or the deadline passed.
func (t *threadConn) ioWait(fd int, p []byte, deadline time.Time, write bool) (int, error) {
	events := int16(pollIn)
	if write {
		events = pollOut
	}
	for {
		var n int
		var err error
		if write {
			n, err = syscall.Write(fd, p)
		} else {
			n, err = syscall.Read(fd, p)
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
		var ts *syscall.Timespec
		if !deadline.IsZero() {
			d := time.Until(deadline)
			if d <= 0 {
				return 0, os.ErrDeadlineExceeded
			}
			v := syscall.NsecToTimespec(int64(d))
			ts = &v
		}
		pfd := pollFd{fd: int32(fd), events: events}
		_, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(ts)), 0, 0, 0)
		if errno != 0 && errno != syscall.EINTR {
			return 0, errno
		}
		// Readable, hung up, timed out or interrupted: the read or the
		// deadline check at the top tells which.
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
	return &net.OpError{Op: op, Net: "tcp", Source: t.LocalAddr(), Addr: t.RemoteAddr(), Err: err}
}

// wakeLocked ends a wait in progress, which then fails with why; t.mu is
// held.
func (t *threadConn) wakeLocked(why error) {
	if (t.reading || t.writing) && t.shut == nil {
		t.shut = why
		t.rc.Control(func(fd uintptr) { syscall.Shutdown(int(fd), syscall.SHUT_RDWR) })
	}
}

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

func (t *threadConn) SetDeadline(d time.Time) error {
	t.SetWriteDeadline(d)
	return t.SetReadDeadline(d)
}

// Close ends a wait in progress first: the runtime's close waits for the
// read to let go of the descriptor.
func (t *threadConn) Close() error {
	t.mu.Lock()
	t.wakeLocked(net.ErrClosed)
	t.mu.Unlock()
	return t.TCPConn.Close()
}
