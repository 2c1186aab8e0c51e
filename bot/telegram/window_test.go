package telegram

import "testing"

// TestCounted: messages count against Telegram's limit (and wait for the
// window, bot.Window, tested in package bot), polls and callback answers
// do not.
func TestCounted(t *testing.T) {
	if !counted("/bot123:abc/sendMessage") || !counted("/bot1/deleteMessage") || counted("/bot1/getUpdates") || counted("/bot1/answerCallbackQuery") {
		t.Error("counted: messages count against the limit, polls and callback answers do not")
	}
}
