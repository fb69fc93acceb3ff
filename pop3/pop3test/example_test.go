package pop3test_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"testing"

	"github.com/nxpop3/nxpop3/pop3"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// A server for a program rather than a test (a demo, a benchmark): start
// it, add a mailbox, point the client at Addr, Close it at the end.
func ExampleNewServer() {
	srv, err := pop3test.NewServer(pop3test.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	mbox := srv.AddUser("alice", "secret", []byte("Subject: hi\r\n\r\nhello\r\n"))

	ctx := context.Background()
	c, err := pop3.Dial(ctx, srv.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "secret", nil); err != nil {
		log.Fatal(err)
	}
	if err := c.Dele(ctx, 1); err != nil {
		log.Fatal(err)
	}
	fmt.Println("before QUIT:", len(mbox.Messages())) // deletions wait for QUIT
	if err := c.Quit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("after QUIT:", len(mbox.Messages()))
	fmt.Println("last command:", srv.Commands()[len(srv.Commands())-1])
	// Output:
	// before QUIT: 1
	// after QUIT: 0
	// last command: QUIT
}

// In your own test, Start is the httptest-shaped constructor: it takes the
// test (any testing.TB), fails it if the server cannot start, and closes
// the server when the test ends (t.Cleanup). checkMail stands for the code
// under test. (Compiled, not run: an example has no *testing.T.)
func ExampleStart() {
	checkMail := func(ctx context.Context, addr, user, pass string) (string, error) {
		c, err := pop3.Dial(ctx, addr)
		if err != nil {
			return "", err
		}
		defer c.Close()
		if err := c.Login(ctx, user, pass, nil); err != nil {
			return "", err
		}
		m, err := c.Retr(ctx, 1)
		if err != nil {
			return "", err
		}
		b, err := io.ReadAll(m)
		return string(b), err
	}

	_ = func(t *testing.T) { // func TestCheckMail(t *testing.T)
		srv := pop3test.Start(t, pop3test.Options{})
		srv.AddUser("alice", "secret", []byte("Subject: hi\r\n\r\nhello\r\n"))
		got, err := checkMail(t.Context(), srv.Addr(), "alice", "secret")
		if err != nil || got != "Subject: hi\r\n\r\nhello\r\n" {
			t.Fatalf("checkMail = %q, %v", got, err)
		}
	}
}
