package pop3

import (
	"net"
	"syscall"
)

// waitingOnSocket reports whether bytes have arrived on conn's socket and
// not been read: a non-blocking MSG_PEEK, which costs a system call where a
// reply costs a round trip. It answers false when conn has no socket to
// ask. Control, unlike Read, runs even after a read deadline has passed.
func waitingOnSocket(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var waiting bool
	rc.Control(func(fd uintptr) {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		waiting = err == nil && n > 0 // 0 is the server's FIN: the next read reports it
	})
	return waiting
}
