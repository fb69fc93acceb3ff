package pop3

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// Each layer of an error's text adds only what the one below did not say.
func TestErrorTextLayers(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		_, err = Dial(t.Context(), addr)
		require.Error(t, err)
		assert.Equal(t, "pop3: connect "+addr+": connection refused", err.Error())
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
		var op *net.OpError
		assert.True(t, errors.As(err, &op), "net's error stays reachable")
	})
	t.Run("after the session ended", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("NOOP"), S("* what"), Hangup())
		c := dial(t, s, nil)
		require.Error(t, c.Noop(t.Context()))
		err := c.Noop(t.Context())
		require.ErrorIs(t, err, ErrClosed)
		var pe *ProtocolError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, 1, strings.Count(err.Error(), "pop3:"), "%q", err)
		assert.Equal(t, "pop3: client closed: protocol error after NOOP: bad status line \"* what\"", err.Error())
	})
}
