package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
)

// TestServeAlertAsCardPhoto: through the real binary, an alert to three
// Telegram groups arrives in each as the case's share card — the card
// package's 1200×630 picture, uploaded once and reused by file_id —
// captioned with the alert and carrying the action buttons; a group that
// turned images off gets the text card instead.
func TestServeAlertAsCardPhoto(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.Options{})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), goodCase+
		"actions:\n  - {kind: petition, label: Sign for Amira, url: \"https://example.org/amira\"}\n")
	cfg := telegramConfig(t, dir, srv, "cases: [cases]\n")
	var groups []telegramtest.Chat
	for i := range 4 {
		g := telegramtest.Group(-7000-int64(i), fmt.Sprintf("Group %d", i))
		srv.AddChat(g)
		groups = append(groups, g)
		if code, _, stderr := vigil(t, "", "subscribe", "--config", cfg, fmt.Sprintf("telegram:%d", g.ID), "AZ"); code != 0 {
			t.Fatalf("subscribe: %s", stderr)
		}
	}
	admin := telegramtest.User{ID: 77, FirstName: "Admina"}
	textOnly := groups[3]
	srv.SetMember(textOnly, admin.ID, "administrator")

	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfg}, strings.NewReader(""), &stdout, &stderr, tokenEnv(srv.Token()))
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitFor(t, &stderr, "cases loaded")
	srv.SendText(textOnly, admin, "/settings images off")
	if msgs := srv.WaitMessages(textOnly.ID, 1, 15*time.Second); len(msgs) != 1 {
		t.Fatalf("/settings images off: no answer\n%s", stderr.String())
	}
	if code, out, errOut := vigil(t, "", "alert", "--config", cfg, "amira-testova", "--message", "Amira needs a doctor"); code != 0 {
		t.Fatalf("alert: %d %s %s", code, out, errOut)
	}
	for _, g := range groups[:3] {
		msgs := srv.WaitMessages(g.ID, 1, 20*time.Second)
		if len(msgs) != 1 {
			t.Fatalf("group %d: %d messages; want the photo\n%s", g.ID, len(msgs), stderr.String())
		}
		m := msgs[0]
		if m.Method != "sendPhoto" || m.PhotoWidth != 1200 || m.PhotoHeight != 630 ||
			!strings.Contains(m.Text, "Amira needs a doctor") || !strings.Contains(m.Text, "Amira Testova") {
			t.Errorf("group %d: %s %dx%d %q; want the 1200×630 card photo captioned with the alert", g.ID, m.Method, m.PhotoWidth, m.PhotoHeight, m.Text)
		}
		if len(m.Keyboard) == 0 || m.Keyboard[0][0].URL == nil || *m.Keyboard[0][0].URL != "https://example.org/amira" {
			t.Errorf("group %d: buttons %+v; want the petition", g.ID, m.Keyboard)
		}
	}
	if up, re := srv.Uploads(), srv.Reuses(); up != 1 || re != 2 {
		t.Errorf("uploads %d, file_id reuses %d; want the picture uploaded once and reused twice", up, re)
	}
	msgs := srv.WaitMessages(textOnly.ID, 2, 20*time.Second)
	if len(msgs) != 2 || msgs[1].Method != "sendMessage" || !strings.Contains(msgs[1].Text, "Amira needs a doctor") {
		t.Errorf("images off: %+v; want the alert as a text card", msgs)
	}
}
