package distrib

import (
	"encoding/binary"
	"unsafe"
)

// nativeLittleEndian: this machine keeps a float32 in memory as the little-endian bytes a weights
// file holds, so f32 values travel between parameters and files as plain byte copies.
var nativeLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// f32Bytes is the memory of xs as bytes (4 per value, in the machine's byte order).
func f32Bytes(xs []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(xs))), 4*len(xs))
}
