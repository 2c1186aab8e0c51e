package discordtest

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"
)

// postFiles posts a message with files as discordgo does: payload_json
// and files[n], to path with method.
func postFiles(t *testing.T, s *Server, method, path string, payload any, files map[string][]byte) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="payload_json"`)
	h.Set("Content-Type", "application/json")
	pw, _ := mw.CreatePart(h)
	json.NewEncoder(pw).Encode(payload)
	i := 0
	for name, data := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="files[`+string(rune('0'+i))+`]"; filename="`+name+`"`)
		h.Set("Content-Type", "image/png")
		fw, _ := mw.CreatePart(h)
		fw.Write(data)
		i++
	}
	mw.Close()
	req, _ := http.NewRequest(method, s.URL+"/api/v9"+path, &body)
	req.Header.Set("Authorization", "Bot "+s.Token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestAttachments checks the fake's handling of files as Discord's: a
// multipart message with payload_json and files[n] is taken and its files
// recorded; an embed image attachment:// must name an attached file; a
// file over 10 MiB is refused with 413 (code 40005); an edit keeps the
// files unless its attachments field says otherwise.
func TestAttachments(t *testing.T) {
	s := New(t, Options{})
	const ch = "870000000000000001"
	withImage := func(name string) map[string]any {
		return map[string]any{"content": "x", "embeds": []map[string]any{{"title": "t", "image": map[string]string{"url": "attachment://" + name}}}}
	}
	code, out := postFiles(t, s, http.MethodPost, "/channels/"+ch+"/messages", withImage("card.png"), map[string][]byte{"card.png": []byte("png")})
	if code != 200 {
		t.Fatalf("a message with its picture: %d %v", code, out)
	}
	id, _ := out["id"].(string)
	if atts, _ := out["attachments"].([]any); len(atts) != 1 {
		t.Errorf("echoed attachments %v; want one", out["attachments"])
	}
	msgs := s.Messages(ch)
	if len(msgs) != 1 || len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].Filename != "card.png" ||
		string(msgs[0].Attachments[0].Data) != "png" || s.Stats().Attachments != 1 {
		t.Fatalf("recorded %+v; want card.png", msgs)
	}

	if code, out := postFiles(t, s, http.MethodPost, "/channels/"+ch+"/messages", withImage("other.png"), map[string][]byte{"card.png": []byte("png")}); code != 400 || out["code"] != float64(50035) {
		t.Errorf("an embed naming a file not attached: %d %v; want 400 50035", code, out)
	}
	big := make([]byte, MaxAttachment+1)
	if code, out := postFiles(t, s, http.MethodPost, "/channels/"+ch+"/messages", withImage("card.png"), map[string][]byte{"card.png": big}); code != 413 || out["code"] != float64(40005) {
		t.Errorf("an 11 MiB file: %d %v; want 413 40005", code, out)
	}

	// An edit keeps the file: its embed may name it again.
	resp, body := do(t, s, http.MethodPatch, "/channels/"+ch+"/messages/"+id, s.Token, withImage("card.png"))
	if resp.StatusCode != 200 {
		t.Fatalf("edit keeping the picture: %d %v", resp.StatusCode, body)
	}
	// One that drops the attachments may not.
	edit := withImage("card.png")
	edit["attachments"] = []any{}
	if resp, body := do(t, s, http.MethodPatch, "/channels/"+ch+"/messages/"+id, s.Token, edit); resp.StatusCode != 400 {
		t.Errorf("edit dropping the picture it shows: %d %v; want 400", resp.StatusCode, body)
	}
	if resp, _ := do(t, s, http.MethodPatch, "/channels/"+ch+"/messages/"+id, s.Token,
		map[string]any{"content": "gone", "embeds": []any{}, "attachments": []any{}}); resp.StatusCode != 200 {
		t.Errorf("edit dropping the picture and its embed: %d", resp.StatusCode)
	}
	if m := s.Messages(ch)[0]; len(m.Attachments) != 0 || m.Edits != 2 {
		t.Errorf("after the edits: %d attachments, %d edits; want 0 and 2", len(m.Attachments), m.Edits)
	}
}
