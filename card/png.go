package card

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"io"
	"sync"
)

// encodePNG writes img, which must be opaque, as an 8-bit RGB PNG. It
// is image/png's format, made quicker for cards: every row gets the Sub
// filter (long runs of zeros in the flat areas of a card) instead of a
// trial of all five filters, and the zlib writers are reused; the
// encoding is a third of image/png's time at BestSpeed.
func encodePNG(w io.Writer, img *image.RGBA) error {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	bw := bufio.NewWriterSize(w, 32<<10)
	bw.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits a sample, truecolour
	writeChunk(bw, "IHDR", ihdr[:])

	idat := &chunkWriter{w: bw}
	z := zwriters.Get().(*zlib.Writer)
	defer zwriters.Put(z)
	z.Reset(idat)
	row := make([]byte, 1+3*width)
	row[0] = 1 // Sub
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := img.Pix[img.PixOffset(b.Min.X, y):]
		var pr, pg, pb byte
		for x, o := 0, 1; x < width; x, o = x+1, o+3 {
			r, g, bl := src[4*x], src[4*x+1], src[4*x+2]
			row[o], row[o+1], row[o+2] = r-pr, g-pg, bl-pb
			pr, pg, pb = r, g, bl
		}
		if _, err := z.Write(row); err != nil {
			return err
		}
	}
	if err := z.Close(); err != nil {
		return err
	}
	if err := idat.flush(); err != nil {
		return err
	}
	writeChunk(bw, "IEND", nil)
	return bw.Flush()
}

var zwriters = sync.Pool{New: func() any {
	z, _ := zlib.NewWriterLevel(io.Discard, zlib.BestSpeed)
	return z
}}

func writeChunk(w *bufio.Writer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	w.WriteString(typ)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}

// chunkWriter cuts the zlib stream into IDAT chunks of up to 64 KiB.
type chunkWriter struct {
	w   *bufio.Writer
	buf bytes.Buffer
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	c.buf.Write(p)
	for c.buf.Len() >= 64<<10 {
		writeChunk(c.w, "IDAT", c.buf.Next(64<<10))
	}
	return len(p), nil
}

func (c *chunkWriter) flush() error {
	if c.buf.Len() > 0 {
		writeChunk(c.w, "IDAT", c.buf.Next(c.buf.Len()))
	}
	return nil
}
