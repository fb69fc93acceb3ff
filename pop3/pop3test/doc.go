// Package pop3test provides an in-memory POP3 server for tests, demos and
// benchmarks, in the spirit of net/http/httptest.
//
// The server speaks RFC 1939 (USER/PASS, APOP, STAT, LIST, UIDL, RETR, TOP,
// DELE, NOOP, RSET, QUIT), RFC 2449 (CAPA, PIPELINING, response codes),
// RFC 5034 (AUTH with PLAIN, LOGIN, CRAM-MD5 and XOAUTH2) and RFC 2595 (STLS),
// plus implicit TLS. It listens on loopback TCP, so a client under test goes
// through a real network stack, and it can misbehave on purpose (see Faults)
// so that a client's error paths can be exercised too.
//
// A minimal test (Start is NewServer with the test's cleanup):
//
//	srv := pop3test.Start(t, pop3test.Options{})
//	mbox := srv.AddUser("alice", "secret", []byte("Subject: hi\r\n\r\nhello\r\n"))
//	// ... run the client against srv.Addr() ...
//	if n := len(mbox.Messages()); n != 0 {
//		t.Errorf("%d messages left, want 0", n)
//	}
//
// A Scripted server (NewScripted, StartScripted) plays a Script instead:
// the exact bytes to send and lines to expect, for replies no real server
// would give; Stuff and Top build the message replies of a script as Server
// sends them.
//
// Message data is sent exactly as stored, dot-stuffed and followed by the
// ".\r\n" terminator line. Sizes (STAT, LIST, RETR) are the octet counts of
// the stored bytes. A non-empty message that does not end in CRLF gets a CRLF
// appended on the wire only, so its terminator is still on a line of its own;
// a client then receives two octets more than LIST announced. Bare LF line
// endings are sent unchanged, which lets tests feed a client sloppy input; a
// message ending in a bare LF gets the CRLF too, since the terminator must
// follow a CRLF.
//
// Deletions take effect only when QUIT is answered in the TRANSACTION state,
// as RFC 1939 requires; a session that ends in any other way (client hang-up,
// Server.Close, a fault) leaves the mailbox as it was.
//
// Command lines longer than 512 octets including CRLF are answered with
// -ERR; AUTH lines and SASL responses may be up to 64 KiB, since RFC 5034
// exempts them and XOAUTH2 tokens are long.
//
// The server is safe for concurrent use; each connection is served by its own
// goroutine, which handles commands strictly in arrival order.
package pop3test
