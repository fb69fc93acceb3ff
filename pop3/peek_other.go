//go:build !linux

package pop3

import "net"

// waitingOnSocket is not implemented here: only bytes already buffered are
// seen before a command is sent.
func waitingOnSocket(conn net.Conn) bool { return false }
