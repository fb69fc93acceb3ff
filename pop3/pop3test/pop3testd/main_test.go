package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunServesUntilStdinCloses(t *testing.T) {
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	certFile := filepath.Join(t.TempDir(), "ca.pem")
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"-user", "bob", "-pass", "pw", "-demo", "-messages", "2", "-tls-cert-out", certFile}, stdinR, stdoutW, io.Discard)
	}()

	first, err := bufio.NewReader(stdoutR).ReadString('\n')
	require.NoError(t, err)
	addr, ok := strings.CutPrefix(strings.TrimSuffix(first, "\n"), "LISTENING ")
	require.True(t, ok, "first line %q", first)

	pemData, err := os.ReadFile(certFile)
	require.NoError(t, err)
	block, _ := pem.Decode(pemData)
	require.NotNil(t, block)
	_, err = x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	line := func() string {
		l, err := r.ReadString('\n')
		require.NoError(t, err)
		return l
	}
	assert.Regexp(t, `^\+OK .*<.*>\r\n$`, line())
	io.WriteString(conn, "USER bob\r\nPASS pw\r\nSTAT\r\nRETR 2\r\n")
	line()
	line()
	assert.Regexp(t, `^\+OK 5 \d+\r\n$`, line())
	line()
	var body strings.Builder
	for {
		l := line()
		if l == ".\r\n" {
			break
		}
		body.WriteString(l)
	}
	assert.Contains(t, body.String(), "\r\n..hidden\r\n..\r\n")

	require.NoError(t, stdinW.Close())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after stdin closed")
	}
}

func TestRunStopsOnContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-apop=false", "-stls"}, nil, stdoutW, io.Discard) }()
	first, err := bufio.NewReader(stdoutR).ReadString('\n')
	require.NoError(t, err)
	addr := strings.TrimSpace(strings.TrimPrefix(first, "LISTENING "))
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	g, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	assert.NotContains(t, g, "<")
	cancel()
	require.NoError(t, <-done)
}

func TestRunBadFlags(t *testing.T) {
	assert.Error(t, run(context.Background(), []string{"-nope"}, nil, io.Discard, io.Discard))
	assert.Error(t, run(context.Background(), []string{"extra"}, nil, io.Discard, io.Discard))
}
