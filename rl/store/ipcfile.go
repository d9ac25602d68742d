package store

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// StepFilePath is where a run keeps a step's rollouts: runDir/rollouts/step-NNNNNN.arrow.
func StepFilePath(runDir string, step int) string {
	return filepath.Join(runDir, "rollouts", fmt.Sprintf("step-%06d.arrow", step))
}

// WriteStepFile writes rec as an Arrow IPC file (the standard file format with footer, readable by
// pyarrow.ipc.open_file, polars.read_ipc, DuckDB's arrow extension), creating the folder. The write
// is atomic: a temporary file renamed into place.
func WriteStepFile(path string, rec arrow.Record) (err error) {
	if err := validateRecord(rec); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return errorf("creating the rollout folder: %v", err)
	}
	// A fresh file with os.Create's mode (0666 less the umask), like every other file of a run
	// folder (os.CreateTemp would give 0600, kept by the rename).
	tmpName := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err := os.Remove(tmpName); err != nil && !os.IsNotExist(err) {
		return errorf("removing a stale temporary rollout file: %v", err)
	}
	tmp, err := os.OpenFile(tmpName, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return errorf("creating a temporary rollout file: %v", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := writeIPC(tmp, rec); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return errorf("closing %s: %v", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return errorf("renaming the rollout file into place: %v", err)
	}
	return nil
}

// EncodeIPC returns rec as the bytes of an Arrow IPC file.
func EncodeIPC(rec arrow.Record) ([]byte, error) {
	if err := validateRecord(rec); err != nil {
		return nil, err
	}
	var buf seekBuffer
	if err := writeIPC(&buf, rec); err != nil {
		return nil, err
	}
	return buf.data, nil
}

// seekBuffer is an in-memory io.WriteSeeker (the IPC file writer wants one).
type seekBuffer struct {
	data []byte
	pos  int64
}

func (b *seekBuffer) Write(p []byte) (int, error) {
	if need := b.pos + int64(len(p)); need > int64(len(b.data)) {
		b.data = append(b.data, make([]byte, need-int64(len(b.data)))...)
	}
	copy(b.data[b.pos:], p)
	b.pos += int64(len(p))
	return len(p), nil
}

func (b *seekBuffer) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += b.pos
	case io.SeekEnd:
		offset += int64(len(b.data))
	}
	if offset < 0 {
		return 0, errorf("seek to a negative offset")
	}
	b.pos = offset
	return offset, nil
}

func writeIPC(w io.WriteSeeker, rec arrow.Record) error {
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(rec.Schema()))
	if err != nil {
		return errorf("starting the Arrow IPC file: %v", err)
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return errorf("writing the rollout record: %v", err)
	}
	if err := fw.Close(); err != nil {
		return errorf("finishing the Arrow IPC file: %v", err)
	}
	return nil
}

// ReadStepFile reads a step file written by WriteStepFile. The caller Releases the record.
func ReadStepFile(mem memory.Allocator, path string) (arrow.Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errorf("reading rollouts: %v", err)
	}
	rec, err := DecodeIPC(mem, data)
	if err != nil {
		return nil, errorf("%s: %v", path, err)
	}
	return rec, nil
}

// DecodeIPC parses the bytes of an Arrow IPC file holding exactly one rollout record and validates
// it. Corrupted input gives an error, never a panic (the Arrow reader's panics on malformed
// flatbuffers are recovered). A file of schema version 1 comes back in the current layout, its
// policy_version column -1 (unknown); a file of a newer version is an error. The caller Releases
// the record.
func DecodeIPC(mem memory.Allocator, data []byte) (rec arrow.Record, err error) {
	var fr *ipc.FileReader
	defer func() {
		if p := recover(); p != nil {
			if rec != nil {
				rec.Release()
			}
			rec, err = nil, errorf("malformed Arrow IPC file: %v", p)
		}
		if fr != nil {
			fr.Close()
		}
	}()
	if err := checkIPCFooter(data); err != nil {
		return nil, err
	}
	// Decompressed buffers could legitimately exceed the file, but StepRecord files are not
	// compressed; 64 bytes of slack cover alignment padding.
	limited := limitedAllocator{Allocator: mem, limit: len(data) + 64}
	fr, err = ipc.NewFileReader(bytes.NewReader(data), ipc.WithAllocator(limited))
	if err != nil {
		return nil, errorf("not an Arrow IPC file: %v", err)
	}
	if n := fr.NumRecords(); n != 1 {
		return nil, errorf("a step file holds one record batch, this one %d", n)
	}
	r, err := fr.Record(0)
	if err != nil {
		return nil, errorf("reading the record batch: %v", err)
	}
	if rec, err = upgradeRecord(mem, r); err != nil {
		return nil, err
	}
	if err := validateRecord(rec); err != nil {
		rec.Release()
		return nil, err
	}
	return rec, nil
}
