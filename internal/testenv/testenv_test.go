package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeT records how a test ended; Fatalf and Skipf end the goroutine as
// testing's do.
type fakeT struct {
	testing.TB
	name        string
	fatal, skip string
	errorf      []string
}

func (f *fakeT) Helper()      {}
func (f *fakeT) Name() string { return f.name }
func (f *fakeT) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeT) Skipf(format string, args ...any) {
	f.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errorf = append(f.errorf, fmt.Sprintf(format, args...))
}

// run calls fn with a fakeT in a goroutine of its own and returns it once
// fn returned or ended the goroutine.
func run(name string, fn func(t testing.TB)) *fakeT {
	f := &fakeT{name: name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

func TestUnavailableFailsWithTheFix(t *testing.T) {
	summary := filepath.Join(t.TempDir(), "skips")
	t.Setenv(SummaryEnv, summary)
	t.Setenv(Dovecot.OptOut, "")
	f := run("TestX", func(t testing.TB) { Dovecot.Unavailable(t, "dovecot is not installed") })
	assert.Empty(t, f.skip, "a missing need must not skip unless opted out")
	assert.Contains(t, f.fatal, "dovecot is not installed")
	assert.Contains(t, f.fatal, "make dovecot-ready")
	assert.Contains(t, f.fatal, "NXPOP3_SKIP_DOVECOT=1")
	_, err := os.Stat(summary)
	assert.ErrorIs(t, err, os.ErrNotExist, "a failure is not a recorded skip")
}

func TestUnavailableOptedOutSkipsAndRecords(t *testing.T) {
	summary := filepath.Join(t.TempDir(), "skips")
	t.Setenv(SummaryEnv, summary)
	t.Setenv(IPv6.OptOut, "1")
	f := run("TestA", func(t testing.TB) { IPv6.Unavailable(t, "no ::1") })
	assert.Empty(t, f.fatal)
	assert.Contains(t, f.skip, "NXPOP3_SKIP_IPV6=1")
	f = run("TestB/sub", func(t testing.TB) { IPv6.Unavailable(t, "no ::1") })
	assert.NotEmpty(t, f.skip)
	t.Setenv("NXPOP3_STRESS", "")
	run("TestStress", func(t testing.TB) { OptIn(t, "NXPOP3_STRESS", "make stress") })

	b, err := os.ReadFile(summary)
	require.NoError(t, err)
	assert.Equal(t, "NXPOP3_SKIP_IPV6\tan IPv6 loopback address (::1) missing\tTestA\n"+
		"NXPOP3_SKIP_IPV6\tan IPv6 loopback address (::1) missing\tTestB/sub\n"+
		"NXPOP3_STRESS\tnot set: make stress runs them\tTestStress\n", string(b))
	assert.Equal(t, "make test: 3 tests SKIPPED, not passed: 2 by NXPOP3_SKIP_IPV6 (an IPv6 loopback address (::1) missing), "+
		"1 by NXPOP3_STRESS (not set: make stress runs them)", Summary(string(b)))
}

func TestOptInRuns(t *testing.T) {
	t.Setenv("NXPOP3_STRESS", "1")
	ran := false
	f := run("TestStress", func(t testing.TB) { OptIn(t, "NXPOP3_STRESS", "make stress"); ran = true })
	assert.True(t, ran)
	assert.Empty(t, f.skip)
}

func TestSummaryNoneSkipped(t *testing.T) {
	assert.Equal(t, "make test: every test ran; none was skipped", Summary(""))
}
