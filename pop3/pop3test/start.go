package pop3test

import (
	"testing"
	"time"
)

// Start starts a Server for a test and closes it when the test ends,
// failing the test if it cannot start or its Close fails.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := NewServer(opts)
	if err != nil {
		t.Fatalf("pop3test: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("pop3test: close: %v", err)
		}
	})
	return s
}

// StartScripted starts a Scripted server for a test. When the test ends,
// after the cleanups registered later (closing the client, typically) have
// run, it waits for the sessions (Wait, up to 5 seconds) and fails the test
// on a deviation or a session left running, then closes the server.
func StartScripted(t testing.TB, steps ...Step) *Scripted {
	t.Helper()
	s, err := NewScripted(steps...)
	if err != nil {
		t.Fatalf("pop3test: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Wait(5 * time.Second); err != nil {
			t.Errorf("scripted server: %v", err)
		}
		s.Close()
	})
	return s
}
