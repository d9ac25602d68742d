package store

import (
	"encoding/binary"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// The Arrow Go IPC reader trusts vector lengths inside the file's flatbuffers and allocates them
// with make(): a corrupted length can ask for terabytes and kill the process with an unrecoverable
// out-of-memory error. checkIPCFooter walks the footer's schema the way the reader will and
// rejects any vector that claims more elements than the footer has bytes; limitedAllocator does
// the same for buffer allocations (its panic is recovered by DecodeIPC).

const ipcMagic = "ARROW1"

// checkIPCFooter validates the file framing and the schema flatbuffer in the footer.
func checkIPCFooter(data []byte) error {
	n := len(data)
	if n < 2*len(ipcMagic)+4+2 || string(data[:len(ipcMagic)]) != ipcMagic || string(data[n-len(ipcMagic):]) != ipcMagic {
		return errorf("not an Arrow IPC file (missing ARROW1 magic)")
	}
	size := int(int32(binary.LittleEndian.Uint32(data[n-len(ipcMagic)-4:])))
	start := n - len(ipcMagic) - 4 - size
	if size <= 0 || start < 8 {
		return errorf("Arrow IPC footer length %d does not fit the %d-byte file", size, n)
	}
	fb := &fbCheck{flatBuf: flatBuf(data[start : n-len(ipcMagic)-4])}
	fb.budget = len(fb.flatBuf) / 4 // a real schema has fewer tables than words; a DAG of shared children would not
	footer, ok := fb.root()
	if !ok {
		return errorf("Arrow IPC footer is malformed")
	}
	schema, ok := fb.table(footer, 1)
	if !ok {
		return errorf("Arrow IPC footer has no schema")
	}
	if !fb.checkTables(schema, 1, 0, func(field int) bool { return fb.checkField(field, 0) }) ||
		!fb.checkKeyValues(schema, 2) {
		return errorf("Arrow IPC schema is malformed")
	}
	for _, slot := range []int{2, 3} { // dictionary and record batch blocks: structs of 24 bytes
		if _, ok := fb.vector(footer, slot, 24); !ok {
			return errorf("Arrow IPC footer block list is malformed")
		}
	}
	return nil
}

// flatBuf is a bounds-checked reader of the parts of a flatbuffer the Arrow reader walks.
type flatBuf []byte

func (b flatBuf) u32(pos int) (int, bool) {
	if pos < 0 || pos+4 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint32(b[pos:])), true
}

func (b flatBuf) root() (int, bool) {
	off, ok := b.u32(0)
	return off, ok && off < len(b)
}

// field returns the absolute position of a table's field in slot, or false when absent/invalid.
func (b flatBuf) field(table, slot int) (int, bool) {
	soff, ok := b.u32(table)
	if !ok {
		return 0, false
	}
	vt := table - int(int32(soff))
	if vt < 0 || vt+4 > len(b) {
		return 0, false
	}
	vsize := int(binary.LittleEndian.Uint16(b[vt:]))
	entry := vt + 4 + 2*slot
	if entry+2 > vt+vsize || entry+2 > len(b) {
		return 0, false
	}
	off := int(binary.LittleEndian.Uint16(b[entry:]))
	if off == 0 {
		return 0, false
	}
	return table + off, table+off+4 <= len(b)
}

// table follows an offset field to a sub-table.
func (b flatBuf) table(table, slot int) (int, bool) {
	pos, ok := b.field(table, slot)
	if !ok {
		return 0, false
	}
	off, ok := b.u32(pos)
	t := pos + off
	return t, ok && t+4 <= len(b)
}

// vector returns the start of a vector field's elements after checking its length fits. An absent
// vector is fine (length 0).
func (b flatBuf) vector(table, slot, elemSize int) (n int, ok bool) {
	pos, present := b.field(table, slot)
	if !present {
		return 0, true
	}
	off, ok := b.u32(pos)
	if !ok {
		return 0, false
	}
	v := pos + off
	n, ok = b.u32(v)
	if !ok || n > (len(b)-v-4)/elemSize {
		return 0, false
	}
	return n, true
}

// fbCheck walks a flatbuffer with a budget of table visits, so that shared sub-tables (which the
// Arrow reader would expand recursively) cannot make the walk exponential.
type fbCheck struct {
	flatBuf
	budget int
}

// checkTables checks a vector of tables and calls each on every element.
func (b *fbCheck) checkTables(table, slot, depth int, each func(int) bool) bool {
	n, ok := b.vector(table, slot, 4)
	if !ok || depth > 64 {
		return false
	}
	if b.budget -= n; b.budget < 0 {
		return false
	}
	if n == 0 {
		return true
	}
	pos, _ := b.field(table, slot)
	off, _ := b.u32(pos)
	v := pos + off + 4
	for i := 0; i < n; i++ {
		e, _ := b.u32(v + 4*i)
		t := v + 4*i + e
		if t+4 > len(b.flatBuf) || !each(t) {
			return false
		}
	}
	return true
}

// checkField checks an Arrow Field table: children (slot 5) and custom_metadata (slot 6).
func (b *fbCheck) checkField(field, depth int) bool {
	if depth > 64 {
		return false
	}
	return b.checkTables(field, 5, depth, func(c int) bool { return b.checkField(c, depth+1) }) && b.checkKeyValues(field, 6)
}

// checkKeyValues checks a vector of KeyValue tables.
func (b *fbCheck) checkKeyValues(table, slot int) bool {
	return b.checkTables(table, slot, 0, func(kv int) bool {
		_, k := b.vector(kv, 0, 1)
		_, v := b.vector(kv, 1, 1)
		return k && v
	})
}

// limitedAllocator refuses (by panicking, recovered in DecodeIPC) any allocation larger than the
// input could justify.
type limitedAllocator struct {
	memory.Allocator
	limit int
}

func (a limitedAllocator) Allocate(size int) []byte {
	if size > a.limit {
		panic(errorf("Arrow IPC buffer of %d bytes is larger than the %d-byte file", size, a.limit))
	}
	return a.Allocator.Allocate(size)
}

func (a limitedAllocator) Reallocate(size int, b []byte) []byte {
	if size > a.limit {
		panic(errorf("Arrow IPC buffer of %d bytes is larger than the %d-byte file", size, a.limit))
	}
	return a.Allocator.Reallocate(size, b)
}
