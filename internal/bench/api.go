package bench

import (
	"context"
	"io"
)

// API is filled in by the benchmark work.
func API(ctx context.Context, args []string, stdout, stderr io.Writer) error { return nil }
