package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// writeFileAtomic writes data to path through a temporary file in the same directory followed by a
// rename, so readers see either the old file or the complete new one.
func writeFileAtomic(path string, write func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

var tempSeq atomic.Uint64

// CreateTemp creates a new file dir/prefixNNN for writing, with mode 0666 less the umask like
// os.Create (os.CreateTemp would make it 0600, and the rename would keep that mode).
func CreateTemp(dir, prefix string) (*os.File, error) {
	base := uint64(os.Getpid())<<32 ^ uint64(time.Now().UnixNano())
	for range 1000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(base+tempSeq.Add(1), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !os.IsExist(err) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no unused temporary file name for %s in %s", prefix, dir)
}
