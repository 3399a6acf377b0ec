//go:build !unix

package store

// processCPU is not measured here; the benchmark's cpu-ns/op then reads 0.
func processCPU() int64 { return 0 }
