package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Usage is what one finished child process cost.
type Usage struct {
	Wall      time.Duration
	User      time.Duration
	Sys       time.Duration
	PeakRSSKB int64
}

// CPU is user plus system time.
func (u Usage) CPU() time.Duration { return u.User + u.Sys }

// PeakRSSMB is the peak resident set in MiB.
func (u Usage) PeakRSSMB() float64 { return float64(u.PeakRSSKB) / 1024 }

// runMeasured runs cmd to completion and returns its wall time, the CPU
// time the kernel accounted to it and its peak resident set. Output goes
// where cmd says; stdout is also returned when cmd.Stdout is nil.
//
// The peak is the child's VmHWM, sampled every few milliseconds while it
// runs, not ru_maxrss: Go starts children with vfork semantics, and Linux
// folds the parent's high-water mark into the child's ru_maxrss at exec, so
// ru_maxrss says at least as much as the harness itself ever used.
func runMeasured(cmd *exec.Cmd) (Usage, []byte, error) {
	var out, errOut bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &errOut
	}
	start := time.Now()
	err := cmd.Start()
	var peak *hwmSampler
	if err == nil {
		peak = sampleHWM(cmd.Process.Pid)
		err = cmd.Wait()
	}
	u := Usage{Wall: time.Since(start)}
	if peak != nil {
		u.PeakRSSKB = peak.Stop()
	}
	if cmd.ProcessState != nil {
		u.User = cmd.ProcessState.UserTime()
		u.Sys = cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return u, out.Bytes(), fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), err, lastLines(errOut.String(), 8))
	}
	return u, out.Bytes(), nil
}

// hwmSampler follows a child's VmHWM (its peak resident set so far) until
// stopped.
type hwmSampler struct {
	stop chan struct{}
	done chan struct{}
	peak int64
}

func sampleHWM(pid int) *hwmSampler {
	h := &hwmSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := procStatusKB(pid, "VmHWM"); err == nil && kb > h.peak {
				h.peak = kb
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// Stop ends the sampling and returns the highest VmHWM seen, in kB.
func (h *hwmSampler) Stop() int64 {
	close(h.stop)
	<-h.done
	return h.peak
}

// lastLines returns the last n lines of s, for error messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Background is a child process that runs while the harness measures
// something else (the sandbox, the dashboard). Its output is kept so a
// failure can be explained.
type Background struct {
	Name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	err  error
	// onLine, when set, sees every line of output as it comes.
	onLine atomic.Pointer[func(string)]
}

// OnLine has fn see every later line of the child's output.
func (b *Background) OnLine(fn func(string)) { b.onLine.Store(&fn) }

// startBackground starts cmd and returns once ready reports true for a line
// of its output (stdout or stderr), or at once when ready is nil. The
// matching line is returned; the timeout or the child's exit before it is
// an error.
func startBackground(ctx context.Context, name string, cmd *exec.Cmd, timeout time.Duration, ready func(line string) bool) (*Background, string, error) {
	b := &Background{Name: name, cmd: cmd, done: make(chan struct{})}
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start %s: %w", name, err)
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if fn := b.onLine.Load(); fn != nil {
				(*fn)(line)
			}
			b.mu.Lock()
			if b.out.Len() < 1<<20 {
				b.out.WriteString(line + "\n")
			}
			b.mu.Unlock()
			select {
			case lines <- line:
			default:
			}
		}
		io.Copy(io.Discard, pr)
	}()
	go func() {
		b.err = cmd.Wait()
		pw.Close()
		close(b.done)
	}()
	if ready == nil {
		return b, "", nil
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case line := <-lines:
			if ready(line) {
				return b, line, nil
			}
		case <-b.done:
			return nil, "", fmt.Errorf("%s exited before it was ready (%v): %s", name, b.err, lastLines(b.Output(), 10))
		case <-t.C:
			b.Stop()
			return nil, "", fmt.Errorf("%s was not ready after %s: %s", name, timeout, lastLines(b.Output(), 10))
		case <-ctx.Done():
			b.Stop()
			return nil, "", ctx.Err()
		}
	}
}

// PID is the child's process ID.
func (b *Background) PID() int { return b.cmd.Process.Pid }

// Output is what the child printed so far (at most 1 MiB).
func (b *Background) Output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.out.String()
}

// Stop asks the child to end (SIGINT, then SIGKILL after 10 s) and waits.
func (b *Background) Stop() {
	select {
	case <-b.done:
		return
	default:
	}
	b.cmd.Process.Signal(os.Interrupt)
	select {
	case <-b.done:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-b.done
	}
}

// procStatusKB reads a field such as VmRSS or VmHWM (in kB) from
// /proc/PID/status.
func procStatusKB(pid int, field string) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == field {
			fs := strings.Fields(v)
			if len(fs) == 0 {
				break
			}
			return strconv.ParseInt(fs[0], 10, 64)
		}
	}
	return 0, errors.New("no " + field + " in /proc/" + strconv.Itoa(pid) + "/status")
}

// rssSampler records the peak VmRSS of a process, sampled every interval,
// until stopped.
type rssSampler struct {
	stop chan struct{}
	done chan struct{}
	peak int64
}

func sampleRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if kb, err := procStatusKB(pid, "VmRSS"); err == nil && kb > s.peak {
				s.peak = kb
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends the sampling and returns the peak in kB.
func (s *rssSampler) Stop() int64 {
	close(s.stop)
	<-s.done
	return s.peak
}
