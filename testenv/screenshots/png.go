package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"slices"
)

// shrinkPNG rewrites freeze's PNG with at most 256 colours, and notes the
// frame it shows (see frameKey). A terminal frame has a dozen colours and
// the shades anti-aliasing puts between them; the most frequent 256 keep
// the text as sharp, and the file is a tenth of the size.
func shrinkPNG(path, frame string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return err
	}
	r := img.Bounds()
	count := map[color.NRGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			count[color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)]++
		}
	}
	cs := make([]color.NRGBA, 0, len(count))
	for c := range count {
		cs = append(cs, c)
	}
	// Most frequent first; ties in a fixed order, so a frame gives the
	// same file every time.
	slices.SortFunc(cs, func(a, b color.NRGBA) int {
		if d := count[b] - count[a]; d != 0 {
			return d
		}
		return int(pack(a)) - int(pack(b))
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range cs[:min(len(cs), 256)] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(r, pal)
	index := map[color.NRGBA]uint8{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			i, ok := index[c]
			if !ok {
				i = uint8(nearest(pal, c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out); err != nil {
		return err
	}
	b, err = withText(buf.Bytes(), frameKey, frame)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	// freeze made the file 0600; pictures are for everyone to read.
	return os.Chmod(path, 0o644)
}

func pack(c color.NRGBA) uint32 {
	return uint32(c.R)<<24 | uint32(c.G)<<16 | uint32(c.B)<<8 | uint32(c.A)
}

// nearest is the palette entry closest to c (squared distance, alpha
// included).
func nearest(pal color.Palette, c color.NRGBA) int {
	best, bestD := 0, -1
	for i, p := range pal {
		q := p.(color.NRGBA)
		d := sq(int(q.R)-int(c.R)) + sq(int(q.G)-int(c.G)) + sq(int(q.B)-int(c.B)) + sq(int(q.A)-int(c.A))
		if bestD < 0 || d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

func sq(v int) int { return v * v }

// frameKey names the PNG text chunk that holds the hash of the frame's
// plain text (NAME.txt): the docs test checks a PNG against its text
// with it, as it checks the SVG's text directly.
const frameKey = "dsx-frame-sha256"

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// withText adds a tEXt chunk after the PNG's header chunk.
func withText(b []byte, key, value string) ([]byte, error) {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4 // signature, then IHDR's length, type, data, CRC
	if !bytes.HasPrefix(b, pngSignature) || len(b) < ihdrEnd || string(b[12:16]) != "IHDR" {
		return nil, errors.New("not a PNG")
	}
	data := append([]byte(key+"\x00"), value...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return slices.Concat(b[:ihdrEnd], chunk, b[ihdrEnd:]), nil
}

// pngText is the value of the PNG's tEXt chunk named key, "" if none.
func pngText(b []byte, key string) string {
	if !bytes.HasPrefix(b, pngSignature) {
		return ""
	}
	for i := len(pngSignature); i+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if i+12+n > len(b) {
			return ""
		}
		if k, v, ok := bytes.Cut(b[i+8:i+8+n], []byte{0}); typ == "tEXt" && ok && string(k) == key {
			return string(v)
		}
		i += 12 + n
	}
	return ""
}

// frameHash is what the PNG notes of a frame's plain text.
func frameHash(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(h[:])
}
