package twin

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per client.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	clients map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate, burst float64) *limiter {
	return &limiter{rate: rate, burst: burst, clients: map[string]*bucket{}}
}

// peek says whether key has a token left (without taking it), or how
// long until it has one.
func (l *limiter) peek(key string) (bool, time.Duration) {
	if l.rate < 0 {
		return true, 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[key]
	if b == nil {
		return true, 0
	}
	tokens := math.Min(l.burst, b.tokens+float64(now.Sub(b.last).Seconds()*l.rate))
	if tokens >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - tokens) / l.rate * float64(time.Second))
}

// charge takes n more tokens from key (its bucket may go below zero, so
// that it waits longer).
func (l *limiter) charge(key string, n float64) {
	if l.rate < 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.clients[key]; b != nil {
		b.tokens = math.Max(b.tokens-n, -l.burst)
	}
}

// allow takes a token for key, or says how long until one is there.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l.rate < 0 {
		return true, 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute || len(l.clients) > 100000 {
		for k, b := range l.clients {
			if now.Sub(b.last) > time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	b := l.clients[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.clients[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+float64(now.Sub(b.last).Seconds()*l.rate))
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}
