package export

import (
	"context"
	"io"
)

// chunkWriter hands the stream's chunks to a goroutine that writes them to
// the destination, so compressing and sending them (an HTTP response is
// usually gzipped) run beside reading and formatting the next rows. Two
// chunk buffers take turns: one filled while the other is written.
//
// Close must be called, and returns only when the goroutine has stopped,
// so nothing writes to the destination after it. The goroutine stops at
// the first write error, or before its next write once ctx is cancelled;
// Write and Close then return that error.
type chunkWriter struct {
	ctx    context.Context
	w      io.Writer
	chunks chan []byte   // filled chunks, in order
	free   chan []byte   // buffers written, to fill again
	done   chan struct{} // closed when the goroutine stops
	err    error         // why it stopped; read only after done is closed
}

func newChunkWriter(ctx context.Context, w io.Writer) *chunkWriter {
	c := &chunkWriter{ctx: ctx, w: w, chunks: make(chan []byte, 1), free: make(chan []byte, 2), done: make(chan struct{})}
	c.free <- make([]byte, 0, bufSize)
	c.free <- make([]byte, 0, bufSize)
	go c.run()
	return c
}

func (c *chunkWriter) run() {
	defer close(c.done)
	for p := range c.chunks {
		if err := c.ctx.Err(); err != nil {
			c.err = err
			return
		}
		if _, err := c.w.Write(p); err != nil {
			c.err = err
			return
		}
		c.free <- p[:0]
	}
}

// Write queues a copy of p to be written.
func (c *chunkWriter) Write(p []byte) (int, error) {
	var buf []byte
	select {
	case buf = <-c.free:
	case <-c.done:
		return 0, c.err
	}
	select {
	case c.chunks <- append(buf, p...):
		return len(p), nil
	case <-c.done:
		return 0, c.err
	}
}

// Close waits until every chunk queued is written, or the goroutine
// stopped, and returns why it stopped.
func (c *chunkWriter) Close() error {
	close(c.chunks)
	<-c.done
	return c.err
}
