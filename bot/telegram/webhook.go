package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vigil-bot/vigil/bot"
)

// webhookSecret derives the secret_token Telegram sends back in the
// X-Telegram-Bot-Api-Secret-Token header from the bot's token: stable
// across restarts, and saying nothing about the token.
func webhookSecret(token string) string {
	sum := sha256.Sum256([]byte("vigil telegram webhook\x00" + token))
	return hex.EncodeToString(sum[:24])
}

// secretHeader is the header Telegram puts the webhook's secret in.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookHandler returns the path of telegram.webhook_url and the handler
// to mount there on the daemon's HTTP listener, or "" and nil when no
// webhook is configured (the client then long-polls). The handler takes
// Telegram's update POSTs, refusing any without the secret token that
// Run registers with setWebhook, and answers them while Run runs.
func (c *Client) WebhookHandler() (path string, h http.Handler) {
	if c.webhookURL == "" {
		return "", nil
	}
	u, err := url.Parse(c.webhookURL)
	if err != nil || u.Path == "" {
		return "/", http.HandlerFunc(c.serveWebhook)
	}
	return u.Path, http.HandlerFunc(c.serveWebhook)
}

func (c *Client) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get(secretHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(c.secret)) != 1 {
		c.log.Warn("webhook request without the right secret token refused", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var u tgbotapi.Update
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&u); err != nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	c.hookMu.RLock()
	defer c.hookMu.RUnlock()
	if c.hookCtx == nil {
		// Not running: Telegram keeps the update and retries.
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	if c.seen(u.UpdateID) {
		w.WriteHeader(http.StatusOK) // a redelivery
		return
	}
	c.dispatch(c.hookCtx, u)
	w.WriteHeader(http.StatusOK)
}

// seen records update id and reports whether it came before; Telegram
// redelivers an update whose webhook request failed or timed out.
func (c *Client) seen(id int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.recent[id] {
		return true
	}
	c.recent[id] = true
	c.recentOrder = append(c.recentOrder, id)
	if len(c.recentOrder) > 1000 {
		delete(c.recent, c.recentOrder[0])
		c.recentOrder = c.recentOrder[1:]
	}
	return false
}

// runWebhook registers the webhook, retrying until it is accepted, and
// serves updates through WebhookHandler until ctx is done.
func (c *Client) runWebhook(ctx context.Context) error {
	p := map[string]string{"url": c.webhookURL, "secret_token": c.secret,
		"allowed_updates": `["message","channel_post","callback_query"]`}
	// Telegram delivers updates as soon as it has set the webhook, which
	// is before its answer to setWebhook gets here: answer them from now
	// on, and while the menus (one call per language) are being set.
	c.hookMu.Lock()
	c.hookCtx = ctx
	c.hookMu.Unlock()
	stop := func() {
		c.hookMu.Lock()
		c.hookCtx = nil
		c.hookMu.Unlock()
		c.wg.Wait()
	}
	defer stop() // also when setWebhook is refused for good
	for failures := 1; ; failures++ {
		_, err := c.request(ctx, "setWebhook", p)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		c.setHealth(false, err)
		if te, ok := apiError(err); ok && te.Code == 401 {
			return fmt.Errorf("telegram: setWebhook: the token was refused (401 Unauthorized)")
		}
		wait := pollBackoff(failures, err)
		c.log.Warn("setWebhook failed; retrying", "err", err, "in", wait)
		if bot.Sleep(ctx, wait) != nil {
			return nil
		}
	}
	c.log.Info("receiving updates by webhook", "url", c.webhookURL)
	c.setCommands(ctx)
	c.setHealth(true, nil)
	<-ctx.Done()
	c.setHealth(false, nil)
	stop()
	c.log.Info("stopped receiving updates")
	return nil
}
