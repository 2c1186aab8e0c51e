package telegramtest

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // photos may be JPEG
	_ "image/png"  // or PNG
	"io"
	"net/http"
	"strconv"
)

// MaxPhotoBytes is the largest photo Telegram takes as an upload (10 MB).
const MaxPhotoBytes = 10 << 20

// upload is a photo sent as a multipart file.
type upload struct {
	name          string
	data          []byte
	width, height int
	decodeErr     error
}

// photoFile is an uploaded photo Telegram keeps: its sizes, each with a
// file_id that may be sent again.
type photoFile struct {
	width, height int
	sizes         []map[string]any
}

// photoUpload reads the photo file of a multipart sendPhoto request, or
// returns nil when the photo is a URL or a file_id. Telegram reads the
// file's content, not its name or type: a file that is not an image is
// refused.
func photoUpload(r *http.Request) (*upload, *apiError) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["photo"]) == 0 {
		return nil, nil
	}
	fh := r.MultipartForm.File["photo"][0]
	if fh.Size > MaxPhotoBytes {
		return nil, bad("file is too big")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, bad("failed to read the photo: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPhotoBytes+1))
	if err != nil {
		return nil, bad("failed to read the photo: %v", err)
	}
	up := &upload{name: fh.Filename, data: data}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	up.width, up.height, up.decodeErr = cfg.Width, cfg.Height, err
	return up, nil
}

// check refuses a photo as Telegram does: over 10 MB, not an image,
// width and height over 10,000 together, or a side over 20 times the
// other.
func (u *upload) check() *apiError {
	switch {
	case len(u.data) > MaxPhotoBytes:
		return bad("file is too big")
	case u.decodeErr != nil || u.width <= 0 || u.height <= 0:
		return bad("IMAGE_PROCESS_FAILED")
	case u.width+u.height > 10000, u.width > 20*u.height, u.height > 20*u.width:
		return bad("PHOTO_INVALID_DIMENSIONS")
	}
	return nil
}

// store keeps an uploaded photo and returns its sizes as Telegram lists
// them, smallest first: thumbnails of 90, 320 and 800 pixels on the
// longer side where the photo is larger, and the photo itself (Telegram
// caps it at 1280 or 2560; the fake keeps it as it is). s.mu must be held.
func (s *Server) store(u *upload) []map[string]any {
	n := len(s.files) + 1
	long := max(u.width, u.height)
	var sizes []map[string]any
	for _, side := range []int{90, 320, 800, long} {
		if side > long || (side == long && len(sizes) > 0 && sizes[len(sizes)-1]["side"] == long) {
			continue
		}
		w, h := max(u.width*side/long, 1), max(u.height*side/long, 1)
		id := fmt.Sprintf("AgACAgFake%04d_%d", n, side)
		sizes = append(sizes, map[string]any{"file_id": id, "file_unique_id": "AQAD" + strconv.Itoa(n) + "_" + strconv.Itoa(side),
			"width": w, "height": h, "file_size": len(u.data) * side / long, "side": side})
	}
	for _, sz := range sizes {
		delete(sz, "side")
	}
	f := &photoFile{width: u.width, height: u.height, sizes: sizes}
	for _, sz := range sizes {
		s.files[sz["file_id"].(string)] = f
	}
	return sizes
}

// Uploads returns how many photos were uploaded as files and accepted.
func (s *Server) Uploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploads
}

// Reuses returns how many photos were sent by the file_id of an upload.
func (s *Server) Reuses() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reuses
}

// ForgetFiles makes the server forget every file_id it gave out, as
// Telegram may: sending one gives 400 "wrong file identifier".
func (s *Server) ForgetFiles() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files = map[string]*photoFile{}
}
