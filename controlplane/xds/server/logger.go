package server

import (
	"context"
	"fmt"
	"log/slog"
)

// cacheLogger adapts slog to go-control-plane's logger. Its warnings are
// routine here (an ADS-mode cache "not responding" to an EDS request that
// does not yet name every assignment is the normal ADS sequence), so they
// are logged at debug level; errors stay errors.
type cacheLogger struct{ log *slog.Logger }

func (l cacheLogger) Debugf(format string, args ...any) { l.at(slog.LevelDebug, format, args) }
func (l cacheLogger) Infof(format string, args ...any)  { l.at(slog.LevelDebug, format, args) }
func (l cacheLogger) Warnf(format string, args ...any)  { l.at(slog.LevelDebug, format, args) }
func (l cacheLogger) Errorf(format string, args ...any) { l.at(slog.LevelError, format, args) }

func (l cacheLogger) at(level slog.Level, format string, args []any) {
	// The cache logs on every request; skip the formatting when unused.
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, args...), "component", "go-control-plane")
	}
}
