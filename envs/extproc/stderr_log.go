package extproc

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// pendingLogSize bounds the plugin stderr kept in memory until a log file is attached.
const pendingLogSize = 64 << 10

// stderrLog gathers the stderr of every process of a pool, line by line with the process slot in
// front ("[plugin 1] ..."), and grit's own notes on failures and restarts ("[grit] ..."), so that
// the two cannot be mistaken for each other. Until SetOutput attaches a writer it keeps the last
// pendingLogSize bytes, which SetOutput then writes first.
type stderrLog struct {
	mu      sync.Mutex
	out     io.Writer
	pending []byte
}

// SetOutput sends the log to w from now on (after what was kept); nil keeps it in memory again.
func (l *stderrLog) SetOutput(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out = w
	if w != nil && len(l.pending) > 0 {
		_, _ = w.Write(l.pending) // a log that cannot be written must not fail scoring
		l.pending = nil
	}
}

// writeLine writes one complete line.
func (l *stderrLog) writeLine(line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.out != nil {
		_, _ = l.out.Write(line)
		return
	}
	l.pending = append(l.pending, line...)
	if over := len(l.pending) - pendingLogSize; over > 0 {
		l.pending = append(l.pending[:0], l.pending[over:]...)
	}
}

// note writes one of grit's own lines about the pool.
func (l *stderrLog) note(format string, args ...any) {
	l.writeLine([]byte("[grit] " + fmt.Sprintf(format, args...) + "\n"))
}

// processWriter returns the writer for the stderr of the process in slot (from 1).
func (l *stderrLog) processWriter(slot int) *lineWriter {
	return &lineWriter{log: l, prefix: fmt.Sprintf("[plugin %d] ", slot)}
}

// lineWriter cuts a process's stderr into lines and writes each with its prefix.
type lineWriter struct {
	mu      sync.Mutex
	log     *stderrLog
	prefix  string
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.log.writeLine(append([]byte(w.prefix), w.partial[:i+1]...))
		w.partial = w.partial[i+1:]
	}
	if len(w.partial) > pendingLogSize { // a line without end: write what there is
		w.flushLocked()
	}
	return len(p), nil
}

// flush writes an unfinished last line (the process has exited).
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
}

func (w *lineWriter) flushLocked() {
	if len(w.partial) > 0 {
		w.log.writeLine(append(append([]byte(w.prefix), w.partial...), '\n'))
		w.partial = nil
	}
}
