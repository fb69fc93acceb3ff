// Command pop3testd runs a pop3test server as a process, so that programs
// in other languages (the C examples) can be tried against it.
//
// It prints "LISTENING host:port" as the first line on stdout, then serves
// until SIGTERM or SIGINT, or until stdin reaches end of file when stdin is
// a pipe or socket. (A background job in a non-interactive shell gets
// /dev/null as stdin, which must not stop the server at once.)
//
// Example:
//
//	pop3testd -user demo -pass secret -demo -tls-cert-out ca.pem
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	var stdin io.Reader
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0 {
		stdin = os.Stdin
	}
	err := run(ctx, os.Args[1:], stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pop3testd:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done or, if stdin is not nil, stdin ends.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pop3testd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen `address`")
	user := fs.String("user", "demo", "user name")
	pass := fs.String("pass", "secret", "password")
	demo := fs.Bool("demo", false, "add three small sample messages, one with a line starting with a dot")
	messages := fs.Int("messages", 0, "add `N` generated messages")
	apop := fs.Bool("apop", true, "offer APOP (timestamp in the greeting)")
	pipelining := fs.Bool("pipelining", false, "advertise PIPELINING")
	stls := fs.Bool("stls", false, "offer STLS")
	implicitTLS := fs.Bool("implicit-tls", false, "speak TLS from the first byte (pop3s)")
	certOut := fs.String("tls-cert-out", "", "write the CA certificate (PEM) to `file`")
	verbose := fs.Bool("v", false, "log the traffic to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}

	opts := pop3test.Options{
		NoTimestamp: !*apop,
		Pipelining:  *pipelining,
		STLS:        *stls,
		ImplicitTLS: *implicitTLS,
	}
	if *verbose {
		opts.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	}
	srv, err := pop3test.NewServerOn("tcp", *addr, opts)
	if err != nil {
		return err
	}
	defer srv.Close()

	var msgs [][]byte
	if *demo {
		msgs = append(msgs, demoMessages()...)
	}
	for i := range *messages {
		msgs = append(msgs, generated(i+1))
	}
	srv.AddUser(*user, *pass, msgs...)
	if *certOut != "" {
		if err := os.WriteFile(*certOut, srv.CACertPEM(), 0o644); err != nil {
			return err
		}
	}

	if _, err := fmt.Fprintf(stdout, "LISTENING %s\n", srv.Addr()); err != nil {
		return err
	}
	eof := make(chan struct{})
	if stdin != nil {
		go func() {
			io.Copy(io.Discard, stdin)
			close(eof)
		}()
	}
	select {
	case <-ctx.Done():
	case <-eof:
	}
	return srv.Close()
}

func demoMessages() [][]byte {
	return [][]byte{
		[]byte("From: alice@example.com\r\nTo: demo@example.com\r\nSubject: Hello\r\n\r\nHello from pop3testd.\r\n"),
		[]byte("From: bob@example.com\r\nTo: demo@example.com\r\nSubject: Dots\r\n\r\nThe next line starts with a dot:\r\n.hidden\r\n.\r\nThe line above is a lone dot.\r\n"),
		[]byte("From: carol@example.com\r\nTo: demo@example.com\r\nSubject: Short\r\n\r\nBye.\r\n"),
	}
}

func generated(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: generator@example.com\r\nTo: demo@example.com\r\nSubject: Message %d\r\n\r\n", n)
	for i := range 20 {
		fmt.Fprintf(&b, "Line %d of message %d.\r\n", i+1, n)
	}
	return []byte(b.String())
}
