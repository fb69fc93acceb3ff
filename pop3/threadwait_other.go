//go:build !linux

package pop3

import "net"

// waitInThread keeps the netpoller where ppoll is not available.
func waitInThread(conn net.Conn) net.Conn { return conn }
