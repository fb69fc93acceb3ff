package dovecot_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/internal/rawpop"
	"github.com/nxpop3/nxpop3/internal/testenv"
)

func TestMain(m *testing.M) { dovecot.Main(m) }

// pop is a bare POP3 connection (package rawpop): the project's client is
// not what is under test here, the harness and the server are.
type pop struct {
	*rawpop.Conn
	greeting string
}

// newPop drives c and reads its +OK greeting.
func newPop(t testing.TB, c net.Conn) *pop {
	t.Helper()
	p := &pop{Conn: rawpop.Wrap(t, c)}
	p.greeting = p.Line()
	require.True(t, strings.HasPrefix(p.greeting, "+OK"), p.greeting)
	return p
}

func dial(t testing.TB, addr string) *pop {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	return newPop(t, c)
}

func login(p *pop, user, pass string) {
	p.OK("USER %s", user)
	p.OK("PASS %s", pass)
}

func TestStartup(t *testing.T) {
	s := dovecot.Start(t)
	t.Logf("dovecot %s in %s: pop3 %s, pop3s %s, IPv6 %v; start took %v",
		s.Version, s.Dir, s.Addr(), s.TLSAddr(), s.IPv6, s.StartDuration)
	require.NotEmpty(t, s.Version)
	require.Same(t, s, dovecot.Start(t), "later calls share the server")
}

func TestUserPass(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)

	p := dial(t, s.Addr())
	p.OK("USER %s", user)
	require.True(t, strings.HasPrefix(p.Cmdf("PASS wrong"), "-ERR"))
	login(p, user, pass)
	require.Equal(t, "+OK 0 0", p.Cmdf("STAT"))
	p.OK("QUIT")
}

func TestAPOP(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)

	p := dial(t, s.Addr())
	ts := regexp.MustCompile(`<[^>]*>`).FindString(p.greeting)
	require.NotEmpty(t, ts, "greeting has no APOP timestamp: %s", p.greeting)
	bad := md5.Sum([]byte(ts + "wrong"))
	start := time.Now()
	require.True(t, strings.HasPrefix(p.Cmdf("APOP %s %x", user, bad), "-ERR"))
	t.Logf("failed APOP answered in %v", time.Since(start))

	// Dovecot's APOP timestamp is per connection, so fail and succeed on
	// separate ones.
	p = dial(t, s.Addr())
	ts = regexp.MustCompile(`<[^>]*>`).FindString(p.greeting)
	sum := md5.Sum([]byte(ts + pass))
	p.OK("APOP %s %s", user, hex.EncodeToString(sum[:]))
	require.Equal(t, "+OK 0 0", p.Cmdf("STAT"))
}

func TestAuthPlain(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)
	resp := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))

	p := dial(t, s.Addr())
	p.OK("AUTH PLAIN %s", resp)
	p.OK("STAT")

	// Without an initial response the server asks with an empty challenge.
	p = dial(t, s.Addr())
	require.Equal(t, "+ ", p.Cmdf("AUTH PLAIN"))
	p.OK("%s", resp)

	p = dial(t, s.Addr())
	start := time.Now()
	bad := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00wrong"))
	require.True(t, strings.HasPrefix(p.Cmdf("AUTH PLAIN %s", bad), "-ERR"))
	t.Logf("failed AUTH PLAIN answered in %v", time.Since(start))
}

func TestAuthCRAMMD5(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)

	p := dial(t, s.Addr())
	ch := p.Cmdf("AUTH CRAM-MD5")
	require.True(t, strings.HasPrefix(ch, "+ "), ch)
	challenge, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(ch, "+ "))
	require.NoError(t, err)
	mac := hmac.New(md5.New, []byte(pass))
	mac.Write(challenge)
	p.OK("%s", base64.StdEncoding.EncodeToString(
		[]byte(user+" "+hex.EncodeToString(mac.Sum(nil)))))
	p.OK("STAT")
}

func capa(p *pop) []string {
	p.OK("CAPA")
	return strings.Split(strings.TrimSuffix(string(p.Body()), "\r\n"), "\r\n")
}

func TestCAPA(t *testing.T) {
	s := dovecot.Start(t)
	p := dial(t, s.Addr())
	caps := capa(p)
	t.Logf("CAPA: %q", caps)
	require.Contains(t, caps, "STLS")
	require.Contains(t, caps, "USER")
	require.Contains(t, caps, "UIDL")
	require.Contains(t, caps, "TOP")
	require.Contains(t, caps, "SASL PLAIN LOGIN CRAM-MD5")
}

func TestSTLS(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)

	p := dial(t, s.Addr())
	p.OK("STLS")
	tc := tls.Client(p.NetConn(), s.ClientTLSConfig())
	require.NoError(t, tc.Handshake())
	p = &pop{Conn: rawpop.Wrap(t, tc)}
	require.NotContains(t, capa(p), "STLS", "no second STLS once in TLS")
	login(p, user, pass)
	p.OK("QUIT")
}

func TestPOP3S(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)

	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", s.TLSAddr(), s.ClientTLSConfig())
	require.NoError(t, err)
	p := newPop(t, c)
	login(p, user, pass)
	p.OK("QUIT")

	// The IP SAN verifies too.
	cfg := s.ClientTLSConfig()
	cfg.ServerName = ""
	c, err = tls.DialWithDialer(d, "tcp", s.TLSAddr(), cfg)
	require.NoError(t, err)
	c.Close()

	// Something other than the generated CA is refused.
	_, err = tls.DialWithDialer(d, "tcp", s.TLSAddr(), &tls.Config{ServerName: "localhost"})
	require.Error(t, err)
}

func TestRETR(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)

	crlf := [][]byte{
		[]byte("Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\n. \r\nend\r\n"),
		[]byte("Subject: 8bit\r\n\r\ncaf\xc3\xa9 \xff\xfe\x80 raw\r\n"),
		[]byte("Subject: bare cr\r\n\r\na\rb\r\n"),
	}
	lf := []byte("Subject: lf\n\nunix\n.dot\n")
	empty := []byte{}
	noEOL := []byte("Subject: no eol\r\n\r\nlast line")
	s.Deliver(t, user, crlf...)
	s.Deliver(t, user, lf, empty, noEOL)

	p := dial(t, s.Addr())
	login(p, user, pass)
	p.OK("LIST")
	sizes := map[int]int{}
	for _, l := range strings.Split(strings.TrimSuffix(string(p.Body()), "\r\n"), "\r\n") {
		f := strings.Fields(l)
		require.Len(t, f, 2)
		n, _ := strconv.Atoi(f[0])
		sizes[n], _ = strconv.Atoi(f[1])
	}
	require.Len(t, sizes, 6)

	retr := func(n int) []byte {
		r := p.OK("RETR %d", n)
		require.Equal(t, fmt.Sprintf("+OK %d octets", sizes[n]), r)
		return p.Body()
	}
	for i, m := range crlf {
		require.Equal(t, len(m), sizes[i+1], "LIST size of message %d", i+1)
		require.Equal(t, m, retr(i+1), "RETR of message %d", i+1)
	}

	// Bare LF goes out as CRLF, and LIST counts it that way.
	want := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	require.Equal(t, want, retr(4))
	require.Equal(t, len(want), sizes[4])

	// Without a final line ending, Dovecot adds one that LIST does not
	// count; for the empty message the whole body is that one CRLF.
	require.Equal(t, 0, sizes[5])
	require.Equal(t, []byte("\r\n"), retr(5))
	require.Equal(t, len(noEOL), sizes[6])
	require.Equal(t, append(noEOL, "\r\n"...), retr(6))

	// TOP 0 is the header block and the empty line.
	p.OK("TOP 1 0")
	require.Equal(t, []byte("Subject: dots\r\n\r\n"), p.Body())

	p.OK("UIDL")
	uidls := strings.Split(strings.TrimSuffix(string(p.Body()), "\r\n"), "\r\n")
	require.Len(t, uidls, 6)
	for i, l := range uidls {
		// %08Xu%08Xv: Dovecot's X is lower-case hex.
		require.Regexp(t, fmt.Sprintf(`^%d %08x[0-9a-f]{8}$`, i+1, i+1), l)
	}
	p.OK("QUIT")

	// Reading the messages stores nothing back into them.
	require.Equal(t, append(append([][]byte{}, crlf...), lf, empty, noEOL), s.Messages(t, user))
}

func TestOrder(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)
	var msgs [][]byte
	for i := 1; i <= 25; i++ {
		msgs = append(msgs, []byte(fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i)))
	}
	s.Deliver(t, user, msgs[:12]...)
	s.Deliver(t, user, msgs[12:20]...)

	p := dial(t, s.Addr())
	login(p, user, pass)
	require.Equal(t, fmt.Sprintf("+OK 20 %d", totalLen(msgs[:20])), p.Cmdf("STAT"))
	for i := 1; i <= 20; i++ {
		p.OK("RETR %d", i)
		require.Equal(t, msgs[i-1], p.Body())
	}
	p.OK("QUIT")

	// Messages delivered after a session has numbered the first ones
	// come after them.
	s.Deliver(t, user, msgs[20:]...)
	p = dial(t, s.Addr())
	login(p, user, pass)
	for i := 1; i <= 25; i++ {
		p.OK("RETR %d", i)
		require.Equal(t, msgs[i-1], p.Body())
	}
	p.OK("QUIT")
	require.Equal(t, msgs, s.Messages(t, user))
}

func totalLen(msgs [][]byte) int {
	n := 0
	for _, m := range msgs {
		n += len(m)
	}
	return n
}

func TestDELE(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)
	m := [][]byte{[]byte("a\r\n"), []byte("b\r\n"), []byte("c\r\n")}
	s.Deliver(t, user, m...)

	// A session dropped without QUIT deletes nothing.
	p := dial(t, s.Addr())
	login(p, user, pass)
	p.OK("DELE 2")
	p.NetConn().Close()
	require.Eventually(t, func() bool { return len(s.Messages(t, user)) == 3 }, 5*time.Second, 50*time.Millisecond)

	// RSET undoes DELE.
	p = dial(t, s.Addr())
	login(p, user, pass)
	p.OK("DELE 1")
	p.OK("RSET")
	p.OK("QUIT")
	require.Equal(t, m, s.Messages(t, user))

	p = dial(t, s.Addr())
	login(p, user, pass)
	p.OK("DELE 2")
	require.True(t, strings.HasPrefix(p.Cmdf("RETR 2"), "-ERR"), "deleted message is gone for the session")
	p.OK("QUIT")
	require.Equal(t, [][]byte{m[0], m[2]}, s.Messages(t, user))
}

func TestIPv6(t *testing.T) {
	s := dovecot.Start(t)
	if !s.IPv6 {
		testenv.IPv6.Unavailable(t, "no IPv6 loopback on this machine")
	}
	user, pass := s.NewUser(t)
	p := dial(t, s.Addr6())
	login(p, user, pass)
	p.OK("QUIT")
}

// Fifty clients at once, on one mailbox, must all get in.
func TestConcurrentSessions(t *testing.T) {
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)
	s.Deliver(t, user, []byte("x\r\n"))

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- session(s.Addr(), user, pass)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func session(addr, user, pass string) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	for _, cmd := range []string{"", "USER " + user, "PASS " + pass, "STAT", "QUIT"} {
		if cmd != "" {
			fmt.Fprintf(c, "%s\r\n", cmd)
		}
		l, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		if !strings.HasPrefix(l, "+OK") {
			return fmt.Errorf("%s: %s", cmd, l)
		}
	}
	return nil
}

// TestStartsAsOrdinaryUser: the private server runs for a user who is not
// root (it once could not chown its service sockets to the dovecot group,
// nor chroot its login processes, and so never answered a login). Run as
// root, the test starts a second instance as the user nobody; run as
// anyone else, the shared instance is already that user's.
func TestStartsAsOrdinaryUser(t *testing.T) {
	s := dovecot.Start(t)
	if os.Geteuid() != 0 {
		p := dial(t, s.Addr())
		login(p, "user1", "pass-user1")
		p.OK("QUIT")
		return
	}
	runuser, err := exec.LookPath("runuser")
	require.NoError(t, err, "runuser (util-linux) runs the server as nobody")
	nobody, err := user.Lookup("nobody")
	require.NoError(t, err)
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)

	// A directory and a copy of the script nobody can reach: the
	// repository may lie under a directory only root may enter.
	dir, err := os.MkdirTemp("", "nxpop3-dovecot-nobody-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	script, err := os.ReadFile(filepath.Join("dovecot.sh"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dovecot.sh"), script, 0o755))
	inst := filepath.Join(dir, "instance")
	require.NoError(t, os.Mkdir(inst, 0o755))
	require.NoError(t, os.Chown(inst, uid, gid))

	run := func(cmd string) {
		t.Helper()
		// Not t.Context(): stop runs in a cleanup, after it is cancelled.
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		c := exec.CommandContext(ctx, runuser, "-u", "nobody", "--", "env", "HOME="+dir, "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
			"bash", filepath.Join(dir, "dovecot.sh"), cmd, inst)
		out, err := os.CreateTemp(dir, "out-")
		require.NoError(t, err)
		defer out.Close()
		c.Stdout, c.Stderr = out, out // Dovecot's daemon must not hold a pipe of ours
		err = c.Run()
		b, _ := os.ReadFile(out.Name())
		require.NoError(t, err, "dovecot.sh %s as nobody:\n%s", cmd, b)
	}
	run("start")
	t.Cleanup(func() { run("stop") })

	env, err := os.ReadFile(filepath.Join(inst, "env"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^DOVECOT_PORT=(\d+)$`).FindSubmatch(env)
	require.NotNil(t, m, "%s", env)
	p := dial(t, net.JoinHostPort("127.0.0.1", string(m[1])))
	login(p, "user1", "pass-user1")
	p.OK("STAT")
	p.OK("QUIT")
}
