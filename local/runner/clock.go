package runner

import (
	"sync"
	"time"
)

// Clock is the time handlers and schedules see locally: real time moved by
// an offset that POST /_local/clock sets, so deadlines can be demonstrated.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	real   func() time.Time
}

// NewClock starts at real time.
func NewClock() *Clock { return &Clock{real: time.Now} }

// Now is the local "now".
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.real().Add(c.offset)
}

// Advance moves the clock forward (or back, with a negative d).
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
	return c.Now()
}

// Set makes Now return t from this instant on.
func (c *Clock) Set(t time.Time) time.Time {
	c.mu.Lock()
	c.offset = t.Sub(c.real())
	c.mu.Unlock()
	return c.Now()
}
