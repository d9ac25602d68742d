package extproc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

const (
	maxLineBytes   = 16 << 20 // longest protocol line grit accepts from a plugin
	stderrTailSize = 2048     // bytes of plugin stderr kept for error messages
	exitWait       = 2 * time.Second
)

// errTimeout marks a call that ran past its deadline.
var errTimeout = errors.New("timed out")

// process is one running plugin that has completed the handshake. It is not safe for
// concurrent use; the Pool hands each process to one caller at a time.
type process struct {
	command []string
	cmd     *exec.Cmd
	stdin   *os.File // grit's end of the plugin's stdin
	stdout  *os.File // grit's end of the plugin's stdout
	reader  *bufio.Reader
	stderr  *stderrTail
	log     *lineWriter   // the pool's stderr log for this process; nil for none
	exited  chan struct{} // closed once the process has exited and been reaped
	waitErr error         // cmd.Wait's result; read only after exited is closed
	hello   Hello
}

// startProcess runs the plugin command and completes the handshake within startTimeout. On any
// failure the process is killed and the error carries the plugin's stderr tail. Its stderr also
// goes, line by line, to log when that is not nil.
func startProcess(command []string, dir string, startTimeout time.Duration, log *lineWriter) (*process, error) {
	if len(command) == 0 || command[0] == "" {
		return nil, errors.New("plugin command is empty; set it to the executable and its arguments, e.g. [python3, plugin.py]")
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("cannot create the plugin's stdin pipe: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("cannot create the plugin's stdout pipe: %w", err)
	}
	p := &process{
		command: command,
		cmd:     exec.Command(command[0], command[1:]...),
		stdin:   inW,
		stdout:  outR,
		reader:  bufio.NewReaderSize(outR, 64<<10),
		stderr:  newStderrTail(stderrTailSize),
		exited:  make(chan struct{}),
		log:     log,
	}
	p.cmd.Dir = dir
	p.cmd.Stdin = inR
	p.cmd.Stdout = outW
	p.cmd.Stderr = p.stderr
	if log != nil {
		p.cmd.Stderr = io.MultiWriter(p.stderr, log)
	}
	p.cmd.WaitDelay = time.Second // bounds the stderr copy if a grandchild keeps stderr open
	ownProcessGroup(p.cmd)
	err = p.cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("cannot start plugin %q: %w", p.commandLine(), err)
	}
	go func() {
		p.waitErr = p.cmd.Wait() // returns once stderr is copied
		if p.log != nil {
			p.log.flush()
		}
		close(p.exited)
	}()
	if err := p.handshake(startTimeout); err != nil {
		p.kill()
		return nil, fmt.Errorf("plugin %q: %w%s", p.commandLine(), err, p.stderr.suffix())
	}
	return p, nil
}

func (p *process) commandLine() string { return strings.Join(p.command, " ") }

// handshake sends the hello line and checks the plugin's answer.
func (p *process) handshake(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	hello, _ := json.Marshal(helloRequest{Type: "hello", Protocol: ProtocolVersion, Client: "grit"})
	if err := p.send(hello, deadline); err != nil {
		return p.describe(err, "during the handshake", timeout)
	}
	line, err := p.receive(deadline)
	if err != nil {
		return p.describe(err, "during the handshake", timeout)
	}
	var h Hello
	if err := json.Unmarshal(line, &h); err != nil {
		return fmt.Errorf("plugin answered the handshake with a line that is not JSON (%v): %q; print only protocol lines on stdout and log to stderr",
			err, clip(string(line), 200))
	}
	if err := checkHello(h); err != nil {
		return err
	}
	p.hello = h
	return nil
}

// call sends one grade request (wire type "score") and waits for its answer. A non-nil error means the process is in
// an unknown state (timed out, exited, broke the protocol) and must be killed. A plugin's own
// "error" answer is not such a failure: it comes back in the scoreResponse.
func (p *process) call(id uint64, req Request, timeout time.Duration) (scoreResponse, error) {
	deadline := time.Now().Add(timeout)
	line, err := json.Marshal(newScoreRequest(id, req))
	if err != nil {
		return scoreResponse{}, fmt.Errorf("cannot encode the request as JSON: %w", err)
	}
	if err := p.send(line, deadline); err != nil {
		return scoreResponse{}, p.describe(err, "while grit sent the request", timeout)
	}
	for {
		line, err := p.receive(deadline)
		if err != nil {
			return scoreResponse{}, p.describe(err, "before answering", timeout)
		}
		var w scoreResponse
		if err := json.Unmarshal(line, &w); err != nil {
			return scoreResponse{}, fmt.Errorf("plugin sent a line that is not JSON (%v): %q; print only protocol lines on stdout and log to stderr",
				err, clip(string(line), 200))
		}
		if w.Type != "result" {
			return scoreResponse{}, fmt.Errorf(`plugin answered with type %q; want {"type":"result","id":%d,...}`, w.Type, id)
		}
		switch {
		case w.ID == 0:
			return scoreResponse{}, fmt.Errorf(`plugin answer has no "id"; echo the request's id (%d)`, id)
		case w.ID < id:
			continue // a stale answer to an earlier request: discard it
		case w.ID > id:
			return scoreResponse{}, fmt.Errorf("plugin answered request %d while request %d was pending", w.ID, id)
		}
		return w, nil
	}
}

// send writes one line before the deadline.
func (p *process) send(line []byte, deadline time.Time) error {
	if err := p.stdin.SetWriteDeadline(deadline); err != nil {
		return err
	}
	_, err := p.stdin.Write(append(line, '\n'))
	return err
}

// receive reads the next non-empty line before the deadline.
func (p *process) receive(deadline time.Time) ([]byte, error) {
	if err := p.stdout.SetReadDeadline(deadline); err != nil {
		return nil, err
	}
	for {
		var line []byte
		for {
			chunk, err := p.reader.ReadSlice('\n')
			line = append(line, chunk...)
			if err == nil {
				break
			}
			if err != bufio.ErrBufferFull {
				return nil, err
			}
			if len(line) > maxLineBytes {
				return nil, fmt.Errorf("plugin sent a line longer than %d bytes", maxLineBytes)
			}
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			return line, nil
		}
	}
}

// describe turns an I/O error into a message saying what the plugin did.
func (p *process) describe(err error, when string, timeout time.Duration) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("plugin %w after %v %s", errTimeout, timeout, when)
	}
	select {
	case <-p.exited:
	case <-time.After(exitWait):
		return fmt.Errorf("plugin closed its stdout %s (%v)", when, err)
	}
	status := "exit status 0"
	if p.waitErr != nil {
		status = p.waitErr.Error()
	}
	return fmt.Errorf("plugin exited %s (%s)", when, status)
}

// kill ends the process and everything in its process group, and reaps it.
func (p *process) kill() {
	killProcessGroup(p.cmd)
	p.stdin.Close()
	p.stdout.Close()
	<-p.exited
}

// stop closes the plugin's stdin (a plugin exits when its stdin ends), waits up to grace for it
// to exit, then kills what is left.
func (p *process) stop(grace time.Duration) {
	p.stdin.Close()
	select {
	case <-p.exited:
	case <-time.After(grace):
	}
	p.kill()
}
