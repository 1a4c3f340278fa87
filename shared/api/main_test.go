package api_test

import (
	"os"
	"testing"

	"keycare/local/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// stackServer is the whole template served as API Gateway would, on a fresh
// table, with a clock the test controls.
type stackServer = testenv.Server

type resp = testenv.Resp

func newStack(t testing.TB) *stackServer { return testenv.NewServer(t) }

func token(t testing.TB, user, dept string, roles ...string) string {
	t.Helper()
	return testenv.Token(t, user, dept, roles...)
}
