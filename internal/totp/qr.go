package totp

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

// QR code rendering: every module is moduleSize pixels square and the code
// is surrounded by the four-module quiet zone ISO/IEC 18004 requires, which
// the encoder does not draw itself and without which some scanners fail.
const (
	moduleSize = 4
	quietZone  = 4
)

// QRCodePNG returns a PNG image of a QR code that encodes content (an
// otpauth:// URI), black on white, with error correction level M.
func QRCodePNG(content string) ([]byte, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("totp: QR code: %w", err)
	}
	modules := code.Bounds().Dx()
	side := (modules + 2*quietZone) * moduleSize
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := 0; y < modules; y++ {
		for x := 0; x < modules; x++ {
			if r, _, _, _ := code.At(code.Bounds().Min.X+x, code.Bounds().Min.Y+y).RGBA(); r >= 0x8000 {
				continue // a light module
			}
			x0, y0 := (x+quietZone)*moduleSize, (y+quietZone)*moduleSize
			for dy := 0; dy < moduleSize; dy++ {
				for dx := 0; dx < moduleSize; dx++ {
					img.SetColorIndex(x0+dx, y0+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp: QR code: %w", err)
	}
	return buf.Bytes(), nil
}
