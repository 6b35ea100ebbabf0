//go:build linux && !sseready_portable

package loadgen

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kernel stamps each segment it receives (SO_TIMESTAMPING, software
// receive stamps) and hands the stamp of the last segment a recvmsg
// read to the reader, TCP included since Linux 4.13: the read minus the
// stamp is how long the bytes waited in the socket for the generator,
// its own delay, apart from the path's.

// stampFlags asks for software receive stamps, reported to the reader.
const stampFlags = unix.SOF_TIMESTAMPING_RX_SOFTWARE | unix.SOF_TIMESTAMPING_SOFTWARE

// stampSpace is room for one SCM_TIMESTAMPING message (three timespecs;
// the first is the software stamp).
var stampSpace = unix.CmsgSpace(3 * int(unsafe.Sizeof(unix.Timespec{})))

// stampReceipts asks the kernel to stamp fd's received bytes; a socket
// that refuses reads without stamps (no read lag is measured on it).
func stampReceipts(fd int) {
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPING, stampFlags)
}

// readStamped reads fd once into buf and returns the kernel's receive
// stamp of the last segment read (zero when none came).
func readStamped(fd int, buf, oob []byte) (int, time.Time, error) {
	n, oobn, _, _, err := unix.Recvmsg(fd, buf, oob, 0)
	if err != nil || oobn == 0 {
		return n, time.Time{}, err
	}
	return n, receiptStamp(oob[:oobn]), nil
}

// receiptStamp finds the SCM_TIMESTAMPING message's software stamp in
// the control messages (without allocating, as ParseSocketControlMessage
// would per read).
func receiptStamp(oob []byte) time.Time {
	hdr := unix.CmsgLen(0)
	for len(oob) >= hdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < hdr || l > len(oob) {
			return time.Time{}
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SO_TIMESTAMPING && l-hdr >= int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&oob[hdr]))
			if ts.Sec == 0 && ts.Nsec == 0 {
				return time.Time{}
			}
			return time.Unix(ts.Unix())
		}
		oob = oob[min(unix.CmsgSpace(l-hdr), len(oob)):]
	}
	return time.Time{}
}
