package telegramtest

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload sends a photo as a multipart file with the fields v.
func uploadPhoto(t *testing.T, s *Server, v url.Values, data []byte) apiReply {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k := range v {
		mw.WriteField(k, v.Get(k))
	}
	fw, err := mw.CreateFormFile("photo", "card.png")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	resp, err := http.Post(s.URL()+"/bot"+s.Token()+"/sendPhoto", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSendPhotoAsTelegram checks that the fake takes photos as Telegram
// does: an uploaded image within 10 MB and Telegram's dimensions, or the
// file_id of one; captions within 1,024 characters after parsing.
func TestSendPhotoAsTelegram(t *testing.T) {
	s := NewServer(t, Options{Limits: &Limits{}})
	s.AddChat(Group(-5, "g"))
	chat := url.Values{"chat_id": {"-5"}}
	with := func(kv ...string) url.Values {
		v := url.Values{"chat_id": {"-5"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}

	r := uploadPhoto(t, s, with("caption", "<b>Day 3</b>", "parse_mode", "HTML"), pngOf(t, 1200, 630))
	if !r.OK {
		t.Fatalf("upload refused: %s", r.Description)
	}
	var m struct {
		Caption string `json:"caption"`
		Photo   []struct {
			FileID        string `json:"file_id"`
			Width, Height int
		} `json:"photo"`
	}
	json.Unmarshal(r.Result, &m)
	if len(m.Photo) < 2 || m.Photo[len(m.Photo)-1].Width != 1200 || m.Photo[len(m.Photo)-1].Height != 630 || m.Caption != "Day 3" {
		t.Fatalf("sizes %+v caption %q; want thumbnails then 1200x630, caption Day 3", m.Photo, m.Caption)
	}
	largest := m.Photo[len(m.Photo)-1].FileID
	if r := call(t, s, s.Token(), "sendPhoto", with("photo", largest)); !r.OK {
		t.Errorf("sending the file_id: %s", r.Description)
	}
	if up, re := s.Uploads(), s.Reuses(); up != 1 || re != 1 {
		t.Errorf("%d uploads, %d reuses; want 1 and 1", up, re)
	}
	msgs := s.Messages(-5)
	if !msgs[0].Upload || msgs[0].PhotoWidth != 1200 || msgs[1].Upload || msgs[1].PhotoWidth != 1200 {
		t.Errorf("messages %+v; want an upload and a reuse of the 1200-pixel picture", msgs)
	}

	for name, tt := range map[string]struct {
		v    url.Values
		data []byte
		want string
	}{
		"unknown file_id":  {v: with("photo", "AgACAgNoSuchFile"), want: "wrong file identifier"},
		"no photo":         {v: chat, want: "there is no photo"},
		"not an image":     {v: chat, data: []byte("<html>"), want: "IMAGE_PROCESS_FAILED"},
		"too large":        {v: chat, data: append(pngOf(t, 10, 10), make([]byte, MaxPhotoBytes)...), want: "file is too big"},
		"dimensions":       {v: chat, data: pngOf(t, 2100, 100), want: "PHOTO_INVALID_DIMENSIONS"},
		"caption too long": {v: with("caption", strings.Repeat("x", MaxCaption+1)), data: pngOf(t, 10, 10), want: "message caption is too long"},
		"caption HTML":     {v: with("caption", "<b>x", "parse_mode", "HTML"), data: pngOf(t, 10, 10), want: "can't parse entities"},
		"file_id caption":  {v: with("photo", largest, "caption", "&amp;"+strings.Repeat("x", MaxCaption)), want: "message caption is too long"},
	} {
		var r apiReply
		if tt.data != nil {
			r = uploadPhoto(t, s, tt.v, tt.data)
		} else {
			r = call(t, s, s.Token(), "sendPhoto", tt.v)
		}
		if r.OK || r.Code != 400 || !strings.Contains(r.Description, tt.want) {
			t.Errorf("%s: ok %v %d %q; want 400 %q", name, r.OK, r.Code, r.Description, tt.want)
		}
	}
	// A caption of exactly 1,024 characters after parsing is taken.
	if r := call(t, s, s.Token(), "sendPhoto", with("photo", largest, "caption", "&amp;"+strings.Repeat("x", MaxCaption-1), "parse_mode", "HTML")); !r.OK {
		t.Errorf("a 1024-character caption: %s", r.Description)
	}
	s.ForgetFiles()
	if r := call(t, s, s.Token(), "sendPhoto", with("photo", largest)); r.OK || !strings.Contains(r.Description, "wrong file identifier") {
		t.Errorf("a forgotten file_id: %v %q; want refused", r.OK, r.Description)
	}
	if up := s.Uploads(); up != 1 {
		t.Errorf("%d uploads after refusals; want 1", up)
	}
}
