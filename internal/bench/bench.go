// Package bench is "layan bench": whole-system load tests that print one table.
package bench

import (
	"context"
	"errors"
	"io"

	"layan/internal/app"
)

func init() { app.Register("bench", Run) }

// Run dispatches "layan bench AREA".
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("bench: name an area: api, email, search, chat or kpi")
	}
	switch args[0] {
	case "api":
		return API(ctx, args[1:], stdout, stderr)
	case "email":
		return Email(ctx, args[1:], stdout, stderr)
	case "search":
		return Search(ctx, args[1:], stdout, stderr)
	case "chat":
		return Chat(ctx, args[1:], stdout, stderr)
	case "kpi":
		return KPI(ctx, args[1:], stdout, stderr)
	}
	return errors.New("bench: unknown area " + args[0] + " (have: api, email, search, chat, kpi)")
}
