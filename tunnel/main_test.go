package tunnel

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when any goroutine outlives its test: every
// device, watcher, stack and connection a test opened must be gone once it
// is closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
