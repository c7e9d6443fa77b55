//go:build !unix

package testkit

import "time"

// ProcessCPU is not measured here.
func ProcessCPU() time.Duration { return 0 }
