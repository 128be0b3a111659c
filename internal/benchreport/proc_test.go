package main

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary act as a child process: with
// BENCHREPORT_CHILD=alloc it touches 64 MiB and exits, so the tests can
// check what runMeasured reports about a process whose peak is known.
func TestMain(m *testing.M) {
	switch os.Getenv("BENCHREPORT_CHILD") {
	case "alloc":
		b := make([]byte, 64<<20)
		for i := range b {
			b[i] = byte(i)
		}
		os.Stdout.WriteString("touched " + string(rune('0'+b[12345]%10)) + "\n")
		os.Exit(0)
	case "csv":
		var b strings.Builder
		b.WriteString("id,name\r\n")
		for range 1000 {
			b.WriteString("12345678901234567,row\r\n")
		}
		os.Stdout.WriteString(b.String())
		os.Exit(0)
	case "fail":
		os.Stderr.WriteString("something went wrong\n")
		os.Exit(3)
	case "serve":
		os.Stdout.WriteString("starting\nlistening on http://127.0.0.1:1234\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func child(mode string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BENCHREPORT_CHILD="+mode)
	return cmd
}

func TestRunMeasuredReportsTheChildsPeakMemoryAndCPU(t *testing.T) {
	u, out, err := runMeasured(child("alloc"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "touched") {
		t.Errorf("stdout %q not returned", out)
	}
	if u.PeakRSSMB() < 64 || u.PeakRSSMB() > 1024 {
		t.Errorf("peak RSS %.1f MiB, want at least the 64 MiB the child touched", u.PeakRSSMB())
	}
	if u.CPU() <= 0 || u.Wall <= 0 {
		t.Errorf("cpu %v wall %v, want both positive", u.CPU(), u.Wall)
	}
}

// The harness grows large (it generates the xl dataset to count its
// calls); a small child must not be reported with the harness's peak, as
// ru_maxrss would.
func TestRunMeasuredDoesNotChargeTheParentsMemoryToTheChild(t *testing.T) {
	ballast := make([]byte, 300<<20)
	for i := range ballast {
		ballast[i] = byte(i)
	}
	u, _, err := runMeasured(child("csv"))
	if err != nil {
		t.Fatal(err)
	}
	if u.PeakRSSMB() <= 0 || u.PeakRSSMB() > 150 {
		t.Errorf("peak RSS of a small child %.1f MiB while the parent holds 300 MiB: want the child's own", u.PeakRSSMB())
	}
	runtime.KeepAlive(ballast)
}

func TestRunMeasuredExplainsAFailure(t *testing.T) {
	_, _, err := runMeasured(child("fail"))
	if err == nil || !strings.Contains(err.Error(), "something went wrong") || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("error %v, want the exit status and the child's stderr", err)
	}
}

func TestStartBackgroundWaitsForItsReadyLineAndStops(t *testing.T) {
	b, line, err := startBackground(context.Background(), "child", child("serve"), time.Minute,
		func(l string) bool { return strings.Contains(l, "http://") })
	if err != nil {
		t.Fatal(err)
	}
	if line != "listening on http://127.0.0.1:1234" {
		t.Errorf("ready line %q", line)
	}
	if kb, err := procStatusKB(b.PID(), "VmRSS"); err != nil || kb <= 0 {
		t.Errorf("VmRSS of the child: %d, %v", kb, err)
	}
	b.Stop()
	if _, err := procStatusKB(b.PID(), "VmRSS"); err == nil {
		t.Error("the child still runs after Stop")
	}
}

func TestStartBackgroundReportsAChildThatExitsEarly(t *testing.T) {
	_, _, err := startBackground(context.Background(), "child", child("fail"), time.Minute,
		func(l string) bool { return false })
	if err == nil || !strings.Contains(err.Error(), "something went wrong") {
		t.Errorf("error %v, want the child's output", err)
	}
}
