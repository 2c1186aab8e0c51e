package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
)

// MaxAttachment is the largest file Discord takes in a server without
// boosts (10 MiB); a larger one is refused with 413, code 40005.
const MaxAttachment = 10 << 20

// maxRequest bounds a request body the fake reads: a few files' worth.
const maxRequest = 3 * MaxAttachment

// Attachment is a file attached to a message.
type Attachment struct {
	ID          string
	Filename    string
	ContentType string
	Data        []byte
}

// errTooLarge is a request or file over Discord's size limits.
var errTooLarge = errors.New("Request entity too large")

var filesFieldRE = regexp.MustCompile(`^files\[(\d+)\]$`)

// readBody reads a request's JSON body: the body itself, or, for
// multipart/form-data as discordgo sends messages with files, the
// payload_json part and the files[n] parts.
func readBody(r *http.Request) (body []byte, files []Attachment, err error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxRequest {
		return nil, nil, errTooLarge
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return data, nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(data), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("multipart: %w", err)
		}
		content, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, fmt.Errorf("multipart: %w", err)
		}
		switch name := p.FormName(); {
		case name == "payload_json":
			body = content
		case filesFieldRE.MatchString(name):
			if p.FileName() == "" {
				return nil, nil, fmt.Errorf("%s: a file without a file name", name)
			}
			if len(content) > MaxAttachment {
				return nil, nil, errTooLarge
			}
			files = append(files, Attachment{Filename: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: content})
		default:
			return nil, nil, fmt.Errorf("%s: unknown form field", name)
		}
	}
	if body == nil {
		body = []byte("{}")
	}
	return body, files, nil
}

// attachmentRefs checks that every attachment:// URL in m's embeds names
// one of files, and returns what Discord would refuse.
func attachmentRefs(m *Message, files []Attachment) []string {
	var errs []string
	check := func(field, u string) {
		name, ok := strings.CutPrefix(u, "attachment://")
		if !ok {
			return
		}
		for _, f := range files {
			if f.Filename == name {
				return
			}
		}
		errs = append(errs, fmt.Sprintf("%s: attachment %q is not attached to the message", field, name))
	}
	for i, e := range m.Embeds {
		if e.Image != nil {
			check(fmt.Sprintf("embeds.%d.image.url", i), e.Image.URL)
		}
		if e.Thumbnail != nil {
			check(fmt.Sprintf("embeds.%d.thumbnail.url", i), e.Thumbnail.URL)
		}
	}
	return errs
}

// keptAttachments applies an edit's attachments field to the message's
// files: absent keeps them all; an array keeps those it names by id.
func keptAttachments(old []Attachment, fields map[string]json.RawMessage) ([]Attachment, error) {
	raw, ok := fields["attachments"]
	if !ok {
		return old, nil
	}
	var keep []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &keep); err != nil {
		return nil, err
	}
	var out []Attachment
	for _, k := range keep {
		for _, a := range old {
			if a.ID == k.ID {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// attachmentJSON is an attachment as Discord returns it.
func (s *Server) attachmentJSON(channelID string, files []Attachment) []map[string]any {
	out := []map[string]any{}
	for _, a := range files {
		url := s.URL + "/attachments/" + channelID + "/" + a.ID + "/" + a.Filename
		out = append(out, map[string]any{"id": a.ID, "filename": a.Filename, "size": len(a.Data),
			"content_type": a.ContentType, "url": url, "proxy_url": url})
	}
	return out
}
