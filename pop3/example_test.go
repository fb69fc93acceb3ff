package pop3_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/nxpop3/nxpop3/pop3"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// exampleServer starts the in-memory server the examples talk to, with one
// user holding two messages. A real program dials its provider instead
// ("pop.example.com:995" with TLSImplicit).
func exampleServer(opts pop3test.Options) (*pop3test.Server, *pop3test.Mailbox) {
	srv, err := pop3test.NewServer(opts)
	if err != nil {
		log.Fatal(err)
	}
	mbox := srv.AddUser("alice@example.com", "secret",
		[]byte("Subject: first\r\n\r\nHello.\r\n"),
		[]byte("Subject: second\r\n\r\n..A line that starts with a dot.\r\n"))
	return srv, mbox
}

// Dial, log in, count the mailbox and read a message. The server is on
// this host, so USER/PASS may be sent in clear text; to a server elsewhere
// Login sends a readable password only over TLS (or with
// Options.InsecureAuth).
func ExampleDialer_Dial() {
	srv, _ := exampleServer(pop3test.Options{})
	defer srv.Close()
	ctx := context.Background()

	var d pop3.Dialer // clear text; TLS: pop3.Dialer{TLS: pop3.TLSImplicit}
	c, err := d.Dial(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice@example.com", "secret", nil); err != nil {
		log.Fatal(err)
	}
	count, size, err := c.Stat(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d messages, %d octets\n", count, size)

	// An io.Reader of exactly the stored message: the server dot-stuffs
	// "..A line" to "...A line" on the wire, and Retr undoes it.
	m, err := c.Retr(ctx, 2)
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(m) // or io.Copy to a file: memory does not grow with the message
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(strings.ReplaceAll(string(body), "\r\n", "\n"))
	if err := c.Quit(ctx); err != nil { // nil only if the server acknowledged QUIT
		log.Fatal(err)
	}
	// Output:
	// 2 messages, 79 octets
	// Subject: second
	//
	// ..A line that starts with a dot.
}

// Fetch every message, pipelined when the server offers PIPELINING, and
// delete each one the callback stored; the deletions take effect when QUIT
// succeeds.
func ExampleClient_Fetch() {
	srv, mbox := exampleServer(pop3test.Options{Pipelining: true})
	defer srv.Close()
	ctx := context.Background()

	c, err := pop3.Dial(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice@example.com", "secret", nil); err != nil {
		log.Fatal(err)
	}
	list, err := c.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	ids := make([]int, len(list))
	for i, info := range list {
		ids[i] = info.ID
	}
	err = c.Fetch(ctx, ids, &pop3.FetchOptions{Delete: true}, func(m *pop3.Message) error {
		var b strings.Builder
		if _, err := io.Copy(&b, m); err != nil { // read to io.EOF, then return nil to have it deleted
			return err
		}
		fmt.Printf("message %d: %q\n", m.ID, strings.SplitN(b.String(), "\r\n", 2)[0])
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Quit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("left on the server:", len(mbox.Messages()))
	// Output:
	// message 1: "Subject: first"
	// message 2: "Subject: second"
	// left on the server: 0
}

// Upgrade with STLS and verify the server against a private CA, given as a
// PEM file (CAFile) or in memory (CAPEM), without building an x509 pool.
// Over TLS, Login picks SASL PLAIN or USER/PASS.
func ExampleDialer_startTLS() {
	srv, _ := exampleServer(pop3test.Options{STLS: true})
	defer srv.Close()
	ctx := context.Background()
	caFile := filepath.Join(os.TempDir(), "pop3-example-ca.pem")
	if err := os.WriteFile(caFile, srv.CACertPEM(), 0o644); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(caFile)

	d := pop3.Dialer{TLS: pop3.TLSStartTLS, CAFile: caFile}
	c, err := d.Dial(ctx, srv.Addr()) // the certificate names 127.0.0.1, the address dialed
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice@example.com", "secret", nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println("TLS:", c.IsTLS())

	// A CA the server's certificate does not chain to is refused.
	other, _ := exampleServer(pop3test.Options{STLS: true})
	defer other.Close()
	d = pop3.Dialer{TLS: pop3.TLSStartTLS, CAPEM: other.CACertPEM()}
	_, err = d.Dial(ctx, srv.Addr())
	fmt.Println("other CA refused:", errors.Is(err, pop3.ErrTLS))
	// Output:
	// TLS: true
	// other CA refused: true
}

// To a server across the network without TLS, a readable password is
// refused before it is sent; APOP and CRAM-MD5 still work, and
// Options.InsecureAuth opts in to the rest.
func ExampleErrInsecureAuth() {
	err := fmt.Errorf("login: %w", pop3.ErrInsecureAuth) // as Login returns it
	switch {
	case errors.Is(err, pop3.ErrInsecureAuth):
		fmt.Println("use TLS, APOP or CRAM-MD5, or set Options.InsecureAuth")
	case errors.Is(err, pop3.ErrTLSRequired):
		fmt.Println("TLS could not be started")
	}
	// Output:
	// use TLS, APOP or CRAM-MD5, or set Options.InsecureAuth
}
