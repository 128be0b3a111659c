package main

import (
	"strings"
	"testing"
)

func TestCPUModelAndMemoryFromProcListings(t *testing.T) {
	cpuinfo := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
	if got := cpuModel(strings.NewReader(cpuinfo)); got != "AMD EPYC 7B13" {
		t.Errorf("cpu model %q", got)
	}
	if got := cpuModel(strings.NewReader("processor : 0\n")); got != "unknown" {
		t.Errorf("cpu model without a model name: %q, want unknown", got)
	}
	meminfo := "MemTotal:       24684092 kB\nMemFree:         1000 kB\n"
	if got := memTotalGB(strings.NewReader(meminfo)); got < 23.5 || got > 23.6 {
		t.Errorf("memory %v GiB, want 23.54", got)
	}
}
