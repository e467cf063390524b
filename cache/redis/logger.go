package rediscache

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"sync"

	"github.com/redis/go-redis/v9"
)

// go-redis has one logger per process (redis.SetLogger). The first Store
// opened with a Config.Logger installs goRedisLog as that logger, for
// good; each such Store registers its logger while it is open.
var goRedisLog = &logForwarder{
	loggers:  map[*slog.Logger]int{},
	fallback: log.New(os.Stderr, "redis: ", log.LstdFlags),
}

var installGoRedisLog sync.Once

// logForwarder is a go-redis logger that writes each line, at Info, to
// every registered slog logger, once each however many Stores registered
// it; with none registered, to standard error as go-redis's default
// logger does.
type logForwarder struct {
	fallback *log.Logger

	mu      sync.Mutex
	loggers map[*slog.Logger]int // how many open Stores registered each
}

// Printf implements go-redis's logging interface.
func (f *logForwarder) Printf(ctx context.Context, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	f.mu.Lock()
	loggers := make([]*slog.Logger, 0, len(f.loggers))
	for l := range f.loggers {
		loggers = append(loggers, l)
	}
	f.mu.Unlock()
	if len(loggers) == 0 {
		f.fallback.Print(msg)
		return
	}
	for _, l := range loggers {
		l.LogAttrs(ctx, slog.LevelInfo, msg, slog.String("component", "go-redis"))
	}
}

// forwardGoRedisLog installs the forwarder if it is not yet, registers l,
// and returns what unregisters it; that function is idempotent.
func forwardGoRedisLog(l *slog.Logger) (unregister func()) {
	installGoRedisLog.Do(func() { redis.SetLogger(goRedisLog) })
	goRedisLog.mu.Lock()
	goRedisLog.loggers[l]++
	goRedisLog.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			goRedisLog.mu.Lock()
			defer goRedisLog.mu.Unlock()
			if goRedisLog.loggers[l]--; goRedisLog.loggers[l] <= 0 {
				delete(goRedisLog.loggers, l)
			}
		})
	}
}
