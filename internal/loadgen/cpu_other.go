//go:build !unix

package loadgen

import "time"

// processCPU is not measured here: the generator's CPU figure stays 0 and
// only its scheduling latency judges it.
func processCPU() time.Duration { return 0 }
