//go:build linux && !sseready_portable

package loadgen

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// pollers read the plain streams of a run (cleartext HTTP/1.1, no content
// coding) on one goroutine per core, each with an epoll set of its own,
// instead of a goroutine per stream waiting in Go's poller.
//
// Why: at thousands of streams a goroutine per stream pays, per event, a
// read that finds the socket empty before it parks, a wake-up and a
// trip through the run queue, on cores it shares with the origin; the
// profile of 2,000 streams × 20 events/s had 45% of the generator's CPU
// in read calls (BENCHMARKS.md, "load's own headroom"). A poller reads
// each ready socket once, for every stream epoll reports at once.
//
// A stream's goroutine hands its connection over and waits for how the
// reading ended; only its poller touches the stream meanwhile.
type pollers struct {
	ps   []*poller
	next int
	mu   sync.Mutex
	wg   sync.WaitGroup
	// stopWake cancels the run's-end wake-up; woke is closed once it has
	// written, so that no byte goes to a descriptor closed and reused.
	stopWake func() bool
	woke     chan struct{}
}

type poller struct {
	epfd int
	// epoll is epfd as a file in Go's own poller: the loop parks there
	// until the set has ready sockets (an epoll descriptor is readable
	// then), rather than blocking a thread in epoll_wait, which hands
	// the thread's core away and back at each wake-up.
	epoll *os.File
	raw   syscall.RawConn
	// wake is a pipe whose read end is in the epoll set: a byte on it
	// makes the loop look at ctx (the run's end) at once.
	wakeR, wakeW int
	mu           sync.Mutex
	streams      map[int32]*polled
	sweep        time.Duration
	// closed: the loop has ended (the run is over) and takes no stream.
	closed bool
	// handed: streams added with bytes already read (ps.pending), for
	// the loop to feed before anything the socket brings after them.
	handed []*polled
	// lag is how long each read's bytes waited in their socket (the
	// kernel's receive stamp to the read); the loop's own, read once it
	// has ended. oob holds a read's stamp.
	lag *Hist
	oob []byte
	// beforeRead, when set, runs before each socket is read (tests: a
	// slow reader).
	beforeRead func()
}

// newPollers starts one poller per core for the run ending with ctx, or
// returns nil (streams then read on their own goroutines) when the
// kernel will not give it an epoll instance.
func newPollers(ctx context.Context, idle time.Duration, beforeRead func()) *pollers {
	n := runtime.GOMAXPROCS(0)
	all := &pollers{}
	for range n {
		p, err := newPoller(idle)
		if err != nil {
			all.close()
			return nil
		}
		p.beforeRead = beforeRead
		all.ps = append(all.ps, p)
	}
	for _, p := range all.ps {
		all.wg.Add(1)
		go func() {
			defer all.wg.Done()
			p.loop(ctx)
		}()
	}
	// The run's end wakes every loop.
	all.woke = make(chan struct{})
	all.stopWake = context.AfterFunc(ctx, func() {
		defer close(all.woke)
		for _, p := range all.ps {
			_, _ = syscall.Write(p.wakeW, []byte{1})
		}
	})
	return all
}

func newPoller(idle time.Duration) (*poller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		syscall.Close(epfd)
		return nil, err
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		return nil, err
	}
	epoll := os.NewFile(uintptr(epfd), "epoll")
	raw, err := epoll.SyscallConn()
	if err != nil {
		epoll.Close()
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		return nil, err
	}
	p := &poller{epfd: epfd, epoll: epoll, raw: raw, wakeR: fds[0], wakeW: fds[1], streams: map[int32]*polled{},
		lag: NewHist(), oob: make([]byte, stampSpace),
		// The idle cut is found within an eighth of the idle timeout,
		// at most 50 ms late: the sweep's period.
		sweep: min(max(idle/8, time.Millisecond), 50*time.Millisecond)}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(p.wakeR)}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p.wakeR, &ev); err != nil {
		p.closeFDs()
		return nil, err
	}
	return p, nil
}

// readLag merges the loops' read lags; call it after close.
func (all *pollers) readLag() *Hist {
	if all == nil {
		return nil
	}
	out := NewHist()
	for _, p := range all.ps {
		_ = out.Merge(p.lag) // one geometry: cannot fail
	}
	return out
}

// close waits for the loops (the run has ended) and frees their
// descriptors.
func (all *pollers) close() {
	if all == nil {
		return
	}
	all.wg.Wait()
	if all.stopWake != nil && !all.stopWake() {
		<-all.woke // the wake-up has started: let it finish writing
	}
	for _, p := range all.ps {
		p.closeFDs()
	}
}

func (p *poller) closeFDs() {
	p.epoll.Close()
	syscall.Close(p.wakeR)
	syscall.Close(p.wakeW)
}

// add hands ps to a poller, which reads it until it ends and then sends
// how on ps.ended. errRunOver: the run ended first.
func (all *pollers) add(ps *polled) error {
	all.mu.Lock()
	p := all.ps[all.next%len(all.ps)]
	all.next++
	all.mu.Unlock()
	fd, err := dupSocket(ps.conn)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		syscall.Close(fd)
		return errRunOver
	}
	// Level-triggered: a socket with bytes left after a read is
	// reported again.
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
	if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		syscall.Close(fd)
		return err
	}
	stampReceipts(fd)
	// The socket is the poller's now: Go's poller lets its descriptor go
	// (and is not woken by the stream's bytes); the duplicate keeps the
	// connection open until the poller closes it.
	_ = ps.conn.Close()
	ps.fd = fd
	p.streams[int32(fd)] = ps
	if len(ps.pending) > 0 {
		p.handed = append(p.handed, ps)
		_, _ = syscall.Write(p.wakeW, []byte{1})
	}
	return nil
}

func (p *poller) loop(ctx context.Context) {
	events := make([]syscall.EpollEvent, 256)
	buf := make([]byte, 16*1024)
	lastSweep := time.Now()
	_ = p.epoll.SetReadDeadline(lastSweep.Add(p.sweep))
	for {
		var n int
		var waitErr error
		err := p.raw.Read(func(fd uintptr) bool {
			n, waitErr = syscall.EpollWait(int(fd), events, 0)
			if errors.Is(waitErr, syscall.EINTR) {
				n, waitErr = 0, nil
			}
			return n > 0 || waitErr != nil // nothing ready: park in Go's poller
		})
		if waitErr != nil || (err != nil && !errors.Is(err, os.ErrDeadlineExceeded)) {
			p.closeAll(endBroken)
			return
		}
		if ctx.Err() != nil {
			p.closeAll(stopped)
			return
		}
		for _, ev := range events[:max(n, 0)] {
			if int(ev.Fd) == p.wakeR {
				p.takeHanded(buf)
				continue
			}
			p.mu.Lock()
			ps := p.streams[ev.Fd]
			p.mu.Unlock()
			if ps != nil {
				p.read(ps, buf)
			}
		}
		now := time.Now()
		if now.Sub(lastSweep) >= p.sweep {
			lastSweep = now
			p.sweepIdle(now)
			_ = p.epoll.SetReadDeadline(now.Add(p.sweep))
		}
	}
}

// takeHanded empties the wake pipe and feeds the bytes the streams
// handed over had read already.
func (p *poller) takeHanded(buf []byte) {
	for {
		if n, _ := syscall.Read(p.wakeR, buf); n <= 0 {
			break
		}
	}
	p.mu.Lock()
	handed := p.handed
	p.handed = nil
	p.mu.Unlock()
	for _, ps := range handed {
		p.feedPending(ps)
	}
}

// feedPending feeds what ps read before it was handed over, once; it
// reports false when that ended the stream.
func (p *poller) feedPending(ps *polled) bool {
	if ps.pending == nil {
		return true
	}
	b := ps.pending
	ps.pending = nil
	if how, ended := ps.wire(ps.pendingAt, time.Time{}, b); ended {
		p.end(ps, how)
		return false
	}
	return true
}

// read reads ps's socket once and feeds what came, after what the
// stream had read before it was handed over. The bytes arrive when they
// are read, and the read's lag behind the socket is recorded.
func (p *poller) read(ps *polled, buf []byte) {
	if !p.feedPending(ps) {
		return
	}
	if p.beforeRead != nil {
		p.beforeRead()
	}
	n, stamp, err := readStamped(ps.fd, buf, p.oob)
	now := time.Now()
	if n > 0 && !stamp.IsZero() {
		p.lag.Record(now.Sub(stamp))
	}
	switch {
	case n > 0:
		if how, ended := ps.wire(now, stamp, buf[:n]); ended {
			p.end(ps, how)
		}
	case n == 0:
		p.end(ps, ps.eof())
	case errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR):
	default:
		p.end(ps, endBroken)
	}
}

// sweepIdle ends the streams silent for the idle timeout.
func (p *poller) sweepIdle(now time.Time) {
	var silent []*polled
	p.mu.Lock()
	for _, ps := range p.streams {
		if now.Sub(ps.s.lastByte) >= ps.s.opts.IdleTimeout {
			silent = append(silent, ps)
		}
	}
	p.mu.Unlock()
	for _, ps := range silent {
		p.end(ps, endSilent)
	}
}

// end lets ps go, once: the stream's goroutine may close its connection
// after how reaches it.
func (p *poller) end(ps *polled, how ending) {
	p.mu.Lock()
	_, ok := p.streams[int32(ps.fd)]
	delete(p.streams, int32(ps.fd))
	p.mu.Unlock()
	if !ok {
		return
	}
	_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, ps.fd, nil)
	syscall.Close(ps.fd)
	ps.ended <- how
}

// dupSocket duplicates conn's descriptor (close-on-exec; it shares the
// socket and its non-blocking mode). Not net's File: its os.File would
// put the duplicate in Go's poller again.
func dupSocket(conn net.Conn) (int, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return -1, errNotPollable
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1, errNotPollable
	}
	fd, dupErr := -1, error(nil)
	if err := raw.Control(func(orig uintptr) {
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, orig, syscall.F_DUPFD_CLOEXEC, 0)
		if errno != 0 {
			dupErr = errno
			return
		}
		fd = int(r)
	}); err != nil {
		return -1, err
	}
	return fd, dupErr
}

// closeAll ends every stream the poller reads, and takes no more.
func (p *poller) closeAll(how ending) {
	p.mu.Lock()
	p.closed = true
	all := make([]*polled, 0, len(p.streams))
	for _, ps := range p.streams {
		all = append(all, ps)
	}
	p.mu.Unlock()
	for _, ps := range all {
		p.end(ps, how)
	}
}
