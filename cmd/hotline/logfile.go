package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	netstacklog "gvisor.dev/gvisor/pkg/log"
)

// logMax is the size past which the log is set aside when the terminal
// opens: it becomes hotline.log.1 (replacing the one before), so the two
// hold at most about twice this.
const logMax = 5 << 20

// openLog opens the terminal's log for appending, after setting aside one
// grown past logMax. Failing to set it aside (another process of the
// terminal holds it open on Windows, say) only means it grows on a while.
func openLog(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > logMax {
		_ = os.Rename(path, path+".1")
	}
	return os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
}

// quiet sends to the terminal's log everything that would otherwise write
// to the terminal the screen is drawn on: slog's default logger, the
// standard log package (net/http's server errors in the demo's platform,
// anything a dependency logs), gVisor's netstack (its warnings go to
// stderr by default) and, besides stderr, the trace of a crash. WireGuard's
// own logs already go to the log through tunnel.Options.Logger. It returns
// the function that puts everything back, for when the screen is closed.
func (t *terminal) quiet() (restore func()) {
	prevSlog := slog.Default()
	prevOut, prevFlags, prevPrefix := log.Writer(), log.Flags(), log.Prefix()
	prevNetstack := netstacklog.Log().Emitter

	// After SetDefault the log package writes through t.log's handler.
	slog.SetDefault(t.log)
	netstacklog.SetTarget(netstackEmitter{t.log.With("part", "netstack")})
	crash := debug.SetCrashOutput(t.logFile, debug.CrashOptions{}) == nil

	return func() {
		slog.SetDefault(prevSlog)
		log.SetOutput(prevOut)
		log.SetFlags(prevFlags)
		log.SetPrefix(prevPrefix)
		netstacklog.SetTarget(prevNetstack)
		if crash {
			_ = debug.SetCrashOutput(nil, debug.CrashOptions{})
		}
	}
}

// netstackEmitter hands gVisor's log lines to slog.
type netstackEmitter struct{ log *slog.Logger }

func (e netstackEmitter) Emit(_ int, level netstacklog.Level, _ time.Time, format string, v ...any) {
	l := slog.LevelInfo
	switch level {
	case netstacklog.Warning:
		l = slog.LevelWarn
	case netstacklog.Debug:
		l = slog.LevelDebug
	}
	e.log.Log(context.Background(), l, fmt.Sprintf(format, v...))
}
