package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets tests run the command itself in a child process: the test
// binary re-executes itself with YAQAZA_TEST_ARGS set, and main runs.
func TestMain(m *testing.M) {
	if args := os.Getenv("YAQAZA_TEST_ARGS"); args != "" {
		os.Args = append([]string{"yaqaza"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a yaqaza process started by a test.
type child struct {
	cmd    *exec.Cmd
	url    string
	stdout lockedBuffer
	exited chan struct{}
}

// lockedBuffer is a buffer the child's output is copied into while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor returns the first match of re in the child's output, waiting for it.
func (c *child) waitFor(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindString(c.stdout.String()); m != "" {
			return m
		}
	}
	return ""
}

var listening = regexp.MustCompile(`msg="yaqaza listening" addr=(\S+)`)

// startServer runs "yaqaza serve" on a free loopback port with the given
// data folder and returns once it listens.
func startServer(t *testing.T, data string, extra ...string) *child {
	t.Helper()
	args := append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, extra...)
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$"), exited: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), "YAQAZA_TEST_ARGS="+strings.Join(args, " "))
	c.cmd.Stdout = &c.stdout
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() {
		c.cmd.Wait()
		close(c.exited)
	}()
	select {
	case a := <-addr:
		c.url = "http://" + a
	case <-c.exited:
		t.Fatalf("yaqaza serve exited before listening: %s", c.stdout.String())
	case <-time.After(60 * time.Second):
		c.cmd.Process.Kill()
		t.Fatal("yaqaza serve did not start listening within 60s")
	}
	t.Cleanup(func() { c.kill() })
	return c
}

func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.exited
}

// stop asks for a graceful shutdown and waits for it.
func (c *child) stop(t *testing.T) {
	c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("yaqaza serve did not stop within 30s of SIGINT")
	}
}

// runCLI runs a subcommand in-process and returns its standard output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	if err != nil {
		return out.String(), fmt.Errorf("%w (stderr: %s)", err, errOut.String())
	}
	return out.String(), nil
}
