// Package dovecot runs a private Dovecot POP3 server for integration tests.
//
// The server is started by dovecot.sh (next to this file) in a fresh temporary
// directory, once per test binary, and shared by all tests in it. Tests keep
// out of each other's way by creating their own users with NewUser. A
// TestMain should call StopAll after m.Run; when it does not, a watcher
// process stops the server once the test binary has exited.
//
// Dovecot comes from Debian packages: make dovecot-ready as root (make test
// runs it) installs them with build/dovecot/install.sh. Without Dovecot,
// Start fails the test with that command, or skips it when the user set
// NXPOP3_SKIP_DOVECOT=1 (package internal/testenv's policy).
//
// What the server returns for a stored message (Dovecot 2.3.19, checked by
// this package's tests):
//
//   - RETR sends the stored bytes, dot-stuffed, followed by ".\r\n". For a
//     message with CRLF line endings that ends with CRLF, the un-stuffed
//     RETR body is exactly the delivered bytes, and LIST's size is its length.
//   - A bare LF is sent as CRLF, and LIST counts it as two bytes, so LIST
//     still equals the RETR byte count. A bare CR is sent unchanged.
//   - A message that does not end with LF gets a CRLF appended before the
//     terminating ".\r\n", which LIST does not count. An empty message is
//     therefore sent as "+OK 0 octets\r\n\r\n.\r\n": LIST says 0 but the body
//     read off the wire is one empty line.
//   - Messages are numbered in delivery order (Deliver names the Maildir files
//     so that Dovecot's UID assignment follows it), also across Deliver calls.
//   - UIDLs follow pop3_uidl_format = %08Xu%08Xv: UID then UIDVALIDITY, both
//     as 8 hex digits, lower-case despite the X ("000000016b022b1f").
package dovecot

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/internal/testenv"
)

// Server is a running private Dovecot instance.
type Server struct {
	// Host is the IPv4 loopback address the server listens on.
	Host string
	// Port is the clear-text POP3 port (STLS available).
	Port int
	// TLSPort is the implicit-TLS (pop3s) port.
	TLSPort int
	// IPv6 reports whether the server also listens on ::1.
	IPv6 bool
	// CAFile is the PEM file of the CA that signed the server certificate
	// (valid for localhost, 127.0.0.1 and ::1).
	CAFile string
	// Version is Dovecot's version, as in "2.3.19.1".
	Version string
	// Dir is the directory holding the server's config, log, users and mail.
	Dir string
	// StartDuration is how long dovecot.sh start took.
	StartDuration time.Duration

	mailRoot string
	usersDir string
	mailUID  int
	mailGID  int
}

var (
	startMu  sync.Mutex
	shared   *Server
	startErr error
	script   string

	// seq numbers users and messages. Maildir file names begin with it
	// (after a time base) because Dovecot gives new files their UIDs in
	// the numeric order of that leading number.
	seq             atomic.Int64
	seqBase         = time.Now().Unix()
	errNotInstalled = errors.New("dovecot not installed")
)

// Start returns the test binary's shared server, starting it on the first
// call. It installs nothing: without Dovecot the test ends by testenv's
// policy (fails naming make dovecot-ready, or skips if NXPOP3_SKIP_DOVECOT=1).
// A server that failed to start fails every test that asks for it.
func Start(t testing.TB) *Server {
	t.Helper()
	startMu.Lock()
	defer startMu.Unlock()
	if shared == nil && startErr == nil {
		shared, startErr = start(nil)
	}
	requireStarted(t, startErr)
	return shared
}

// requireStarted ends the test by testenv's policy when Dovecot is not
// installed and fails it when Dovecot did not start.
func requireStarted(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, errNotInstalled) {
		testenv.Dovecot.Unavailable(t, "dovecot is not installed")
	}
	if err != nil {
		t.Fatalf("starting dovecot: %v", err)
	}
}

// Main runs the tests of a package that shares a server (Start) and stops
// it once they have all run; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	StopAll()
	os.Exit(code)
}

// StopAll stops the shared server, if one was started, and removes its
// directory. Call it from TestMain after m.Run.
func StopAll() {
	startMu.Lock()
	defer startMu.Unlock()
	if shared == nil {
		return
	}
	if out, err := runScript("stop", shared.Dir); err != nil {
		fmt.Fprintf(os.Stderr, "dovecot: stop: %v\n%s", err, out)
	}
	os.RemoveAll(shared.Dir)
	shared = nil
	startErr = errors.New("dovecot was stopped by StopAll")
}

func installed() bool {
	if _, err := exec.LookPath("dovecot"); err == nil {
		return true
	}
	// Non-root PATHs often lack sbin directories.
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		if _, err := os.Stat(filepath.Join(d, "dovecot")); err == nil {
			return true
		}
	}
	return false
}

func scriptPath() string {
	if script == "" {
		_, file, _, _ := runtime.Caller(0)
		script = filepath.Join(filepath.Dir(file), "dovecot.sh")
	}
	return script
}

func runScript(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{scriptPath()}, args...)...)
	// Dovecot's daemonized children must not hold our pipes open, or
	// CombinedOutput would wait for them; the script's own output goes to a
	// file instead.
	f, err := os.CreateTemp("", "nxpop3-dovecot-sh-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	out, _ := os.ReadFile(f.Name())
	return out, err
}

// StartPrivate starts a Dovecot of the test's own, stopped when the test
// ends, for a configuration the shared server must not have (other
// mechanisms, passdbs, client certificates). setup gets the instance's
// directory before Dovecot starts; what it writes to extra.conf there is
// included at the end of the generated config. Without Dovecot it skips
// or fails the test as Start does.
func StartPrivate(t testing.TB, setup func(dir string) error) *Server {
	t.Helper()
	s, err := start(setup)
	requireStarted(t, err)
	t.Cleanup(func() {
		if out, err := runScript("stop", s.Dir); err != nil {
			t.Errorf("dovecot: stop: %v\n%s", err, out)
		}
		os.RemoveAll(s.Dir)
	})
	return s
}

func start(setup func(dir string) error) (*Server, error) {
	if !installed() {
		return nil, errNotInstalled
	}
	dir, err := os.MkdirTemp("", "nxpop3-dovecot-")
	if err != nil {
		return nil, err
	}
	if setup != nil {
		if err := setup(dir); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("dovecot: setup: %w", err)
		}
	}
	t0 := time.Now()
	out, err := runScript("start", dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("dovecot.sh start: %v\n%s", err, out)
	}
	s := &Server{Dir: dir, StartDuration: time.Since(t0)}
	if err := s.readEnv(); err != nil {
		runScript("stop", dir)
		os.RemoveAll(dir)
		return nil, err
	}
	watch(dir)
	return s, nil
}

// watch leaves behind a process that stops the server after this test binary
// exits, in case no TestMain calls StopAll (or the binary dies first).
func watch(dir string) {
	const reaper = `while kill -0 "$1" 2>/dev/null; do sleep 1; done
bash "$2" stop "$3" >/dev/null 2>&1
rm -rf "$3"`
	cmd := exec.Command("bash", "-c", reaper, "dovecot-reaper",
		strconv.Itoa(os.Getpid()), scriptPath(), dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if cmd.Start() == nil {
		cmd.Process.Release()
	}
}

func (s *Server) readEnv() error {
	data, err := os.ReadFile(filepath.Join(s.Dir, "env"))
	if err != nil {
		return err
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	atoi := func(k string) int {
		n, e := strconv.Atoi(env[k])
		if e != nil && err == nil {
			err = fmt.Errorf("env: bad %s=%q", k, env[k])
		}
		return n
	}
	s.Host = env["DOVECOT_HOST"]
	s.Port = atoi("DOVECOT_PORT")
	s.TLSPort = atoi("DOVECOT_TLS_PORT")
	s.IPv6 = env["DOVECOT_IPV6"] == "1"
	s.CAFile = env["DOVECOT_CA"]
	s.Version = env["DOVECOT_VERSION"]
	s.mailRoot = env["DOVECOT_MAILDIR_ROOT"]
	s.mailUID = atoi("DOVECOT_MAIL_UID")
	s.mailGID = atoi("DOVECOT_MAIL_GID")
	s.usersDir = filepath.Join(s.Dir, "users")
	return err
}

// Addr is the clear-text POP3 address on IPv4, "127.0.0.1:port".
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// TLSAddr is the implicit-TLS (pop3s) address on IPv4.
func (s *Server) TLSAddr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.TLSPort)) }

// Addr6 is the clear-text POP3 address on IPv6, "[::1]:port"; the server
// listens there only when IPv6 is true.
func (s *Server) Addr6() string { return net.JoinHostPort("::1", strconv.Itoa(s.Port)) }

// ClientTLSConfig returns a client config trusting only the server's CA, for
// server name "localhost". Clear ServerName to verify an IP address instead.
func (s *Server) ClientTLSConfig() *tls.Config {
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		panic(fmt.Sprintf("dovecot: reading CA: %v", err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		panic("dovecot: no certificate in " + s.CAFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: "localhost"}
}

// chown gives what this process created under the mail root to the user
// Dovecot accesses mail as; needed only when that is not us (we are root).
func (s *Server) chown(path string) error {
	if os.Geteuid() != 0 || s.mailUID == 0 {
		return nil
	}
	return os.Lchown(path, s.mailUID, s.mailGID)
}

func (s *Server) maildir(user string) string { return filepath.Join(s.mailRoot, user) }

// NewUser creates a user with a unique name, a random password and an empty
// Maildir, and returns the name and password. The user can log in at once.
func (s *Server) NewUser(t testing.TB) (name, password string) {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	name = fmt.Sprintf("nx%d", seq.Add(1))
	password = "pw-" + hex.EncodeToString(b[:])
	md := s.maildir(name)
	for _, d := range []string{md, filepath.Join(md, "tmp"), filepath.Join(md, "new"), filepath.Join(md, "cur")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatalf("dovecot: new user: %v", err)
		}
		if err := s.chown(d); err != nil {
			t.Fatalf("dovecot: new user: %v", err)
		}
	}
	// One passwd-file per user, renamed into place: Dovecot reads a new
	// file at the first login, whereas it rereads a changed one at most
	// once a second.
	line := fmt.Sprintf("%s:{PLAIN}%s\n", name, password)
	tmp := filepath.Join(s.usersDir, ".tmp-"+name)
	err := os.WriteFile(tmp, []byte(line), 0o644)
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.usersDir, name))
	}
	if err != nil {
		t.Fatalf("dovecot: new user: %v", err)
	}
	return name, password
}

// Deliver stores msgs in user's Maildir, byte for byte, as the next messages
// in POP3 order: first tmp/, then renamed into new/, like a delivery agent.
// See the package documentation for what RETR and LIST then return.
func (s *Server) Deliver(t testing.TB, user string, msgs ...[]byte) {
	t.Helper()
	md := s.maildir(user)
	if _, err := os.Stat(filepath.Join(md, "new")); err != nil {
		t.Fatalf("dovecot: deliver to %s: %v", user, err)
	}
	host, _ := os.Hostname()
	host = strings.NewReplacer("/", "_", ":", "_").Replace(host)
	for _, m := range msgs {
		n := seq.Add(1)
		name := fmt.Sprintf("%d.M%dP%d.%s", seqBase+n, n, os.Getpid(), host)
		tmp := filepath.Join(md, "tmp", name)
		err := os.WriteFile(tmp, m, 0o644)
		if err == nil {
			err = s.chown(tmp)
		}
		if err == nil {
			err = os.Rename(tmp, filepath.Join(md, "new", name))
		}
		if err != nil {
			t.Fatalf("dovecot: deliver to %s: %v", user, err)
		}
	}
}

// Messages returns the messages currently stored for user, in POP3 order:
// what is left after deletions committed by QUIT.
func (s *Server) Messages(t testing.TB, user string) [][]byte {
	t.Helper()
	// Dovecot may move a file from new/ to cur/ (or rename it in cur/ to
	// change its flags) between our listing and our read: list again.
	var err error
	for try := 0; try < 50; try++ {
		var msgs [][]byte
		if msgs, err = s.messages(user); err == nil {
			return msgs
		}
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("dovecot: messages of %s: %v", user, err)
	return nil
}

type stored struct {
	key  int64
	base string
	path string
}

func (s *Server) messages(user string) ([][]byte, error) {
	md := s.maildir(user)
	var files []stored
	for _, sub := range []string{"new", "cur"} {
		ents, err := os.ReadDir(filepath.Join(md, sub))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			base, _, _ := strings.Cut(e.Name(), ":")
			digits := base
			if i := strings.IndexFunc(base, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
				digits = base[:i]
			}
			key, _ := strconv.ParseInt(digits, 10, 64)
			files = append(files, stored{key, base, filepath.Join(md, sub, e.Name())})
		}
	}
	// The order Dovecot assigns UIDs in; Deliver's names make it POP3 order.
	sort.Slice(files, func(i, j int) bool {
		if files[i].key != files[j].key {
			return files[i].key < files[j].key
		}
		return files[i].base < files[j].base
	})
	msgs := make([][]byte, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, b)
	}
	return msgs, nil
}
