package discord

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
)

// onInteraction answers one interaction through s, the session of the
// shard that received it; discordgo calls it on its own goroutine. ctx
// outlives Run's context so that an answer under way is finished at
// shutdown (Run waits for it, for a while).
func (c *Client) onInteraction(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction) {
	c.inflight.Add(1)
	defer c.inflight.Done()
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("interaction handler panicked", "interaction", i.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, c.handleFor)
	defer cancel()
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		c.command(ctx, s, i)
	case discordgo.InteractionApplicationCommandAutocomplete:
		c.autocompleteAnswer(ctx, s, i)
	case discordgo.InteractionMessageComponent:
		c.component(ctx, s, i)
	}
}

// userID returns the id of whoever caused the interaction.
func userID(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

// request turns a slash command into the handler's Request.
func (c *Client) request(i *discordgo.Interaction) bot.Request {
	data := i.ApplicationCommandData()
	opts := map[string]string{}
	for _, o := range data.Options {
		if o.Value != nil {
			opts[o.Name] = fmt.Sprint(o.Value)
		}
	}
	req := bot.Request{Platform: Name, Chat: i.ChannelID, User: userID(i), Command: strings.ToLower(data.Name),
		Options: opts, Private: i.GuildID == "", UserLang: string(i.Locale)}
	// Checked on every call from the member's permissions in this channel,
	// which Discord computes and sends with the interaction:
	// default_member_permissions only hides the command.
	member := i.Member
	req.IsAdmin = func(context.Context) (bool, error) {
		if member == nil {
			return false, nil
		}
		return member.Permissions&(permAdministrator|permManageChannels) != 0, nil
	}
	return req
}

// command answers a slash command: at once if the handler is quick,
// otherwise with a deferred response that is edited when the reply is
// ready. A private reply after a (public) deferral replaces it with an
// ephemeral follow-up.
func (c *Client) command(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction) {
	req := c.request(i)
	log := c.log.With("interaction", i.ID, "command", req.Command, "chat", req.Chat, "user", bot.LogUser(req.Command, req.User))
	replies := make(chan bot.Reply, 1)
	go func() { replies <- c.h.Handle(ctx, req) }()

	var wait <-chan time.Time
	if c.deferAfter > 0 {
		t := time.NewTimer(c.deferAfter)
		defer t.Stop()
		wait = t.C
	} else {
		ch := make(chan time.Time)
		close(ch)
		wait = ch
	}
	var r bot.Reply
	select {
	case r = <-replies:
		if err := s.InteractionRespond(i, renderReply(r).response(discordgo.InteractionResponseChannelMessageWithSource),
			discordgo.WithContext(ctx)); err != nil {
			log.Error("interaction response failed", "err", redact(err))
		}
		return
	case <-wait:
	}
	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource},
		discordgo.WithContext(ctx)); err != nil {
		log.Error("deferring the interaction failed", "err", redact(err))
		return
	}
	select {
	case r = <-replies:
	case <-ctx.Done():
		log.Error("command took too long", "err", ctx.Err())
		r = bot.Reply{Text: i18n.T("en", "reply.error"), Private: true}
	}
	out := renderReply(r)
	if !out.ephemeral {
		if _, err := s.InteractionResponseEdit(i, out.edit(), discordgo.WithContext(ctx)); err != nil {
			log.Error("editing the deferred response failed", "err", redact(err))
		}
		return
	}
	if err := s.InteractionResponseDelete(i, discordgo.WithContext(ctx)); err != nil {
		log.Warn("deleting the deferred response failed", "err", redact(err))
	}
	if _, err := s.FollowupMessageCreate(i, true, out.followup(), discordgo.WithContext(ctx)); err != nil {
		log.Error("private follow-up failed", "err", redact(err))
	}
}

// autocompleteAnswer suggests case names or countries for the focused
// option, always within Discord's window: a search that takes too long
// answers with no suggestions.
func (c *Client) autocompleteAnswer(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction) {
	data := i.ApplicationCommandData()
	var focused *discordgo.ApplicationCommandInteractionDataOption
	for _, o := range data.Options {
		if o.Focused {
			focused = o
		}
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if focused != nil {
		input := strings.TrimSpace(fmt.Sprint(focused.Value))
		sctx, cancel := context.WithTimeout(ctx, c.autocomplete)
		found := make(chan []*discordgo.ApplicationCommandOptionChoice, 1)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					c.log.Error("autocomplete panicked", "command", data.Name, "panic", p)
					found <- nil
				}
			}()
			found <- c.suggest(sctx, data.Name, focused.Name, input, string(i.Locale))
		}()
		select {
		case choices = <-found:
			if choices == nil {
				choices = []*discordgo.ApplicationCommandOptionChoice{}
			}
		case <-sctx.Done():
			c.log.Warn("autocomplete too slow; answered with nothing", "command", data.Name, "option", focused.Name)
		}
		cancel()
	}
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices}}
	if err := s.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		c.log.Error("autocomplete response failed", "interaction", i.ID, "err", redact(err))
	}
}

// suggest returns at most 25 choices for option of command.
func (c *Client) suggest(ctx context.Context, command, option, input, locale string) []*discordgo.ApplicationCommandOptionChoice {
	out := []*discordgo.ApplicationCommandOptionChoice{}
	add := func(name, value string) {
		if len(out) < maxChoices && name != "" && value != "" && len(value) <= maxChoiceValue {
			out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: fit(name, maxChoiceName, false), Value: value})
		}
	}
	lang := locale
	if lang == "" {
		lang = "en"
	}
	switch option {
	case "query", "case":
		matches, err := c.h.Library.Complete(ctx, input, maxChoices)
		if err != nil {
			c.log.Error("autocomplete failed", "command", command, "err", err)
			return out
		}
		base, _, _ := strings.Cut(lang, "-")
		for _, m := range matches {
			// The name in the user's language when the case gives one.
			name := m.Name
			if cs, ok, err := c.h.Library.Case(ctx, m.ID); err == nil && ok {
				name = cs.NameIn(base)
			}
			add(name, m.ID)
		}
	case "country":
		if command == "unsubscribe" && (input == "" || strings.HasPrefix("all", strings.ToLower(input))) {
			add("all", "all")
		}
		for _, co := range cases.SuggestCountries(input, lang, maxChoices) {
			add(co.Name(lang)+" ("+co.Code+")", co.Code)
		}
	}
	return out
}

// component answers a pick-list button: the message becomes the chosen
// case's card.
func (c *Client) component(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction) {
	data := i.MessageComponentData()
	if id, ok := strings.CutPrefix(data.CustomID, wrotePrefix); ok {
		c.wrote(ctx, s, i, id)
		return
	}
	id, ok := strings.CutPrefix(data.CustomID, pickPrefix)
	if !ok {
		// Not one of ours (an old message's button): acknowledge it so
		// the user does not see "interaction failed", and change nothing.
		ack := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
		if err := s.InteractionRespond(i, ack, discordgo.WithContext(ctx)); err != nil {
			c.log.Warn("unknown button not acknowledged", "interaction", i.ID, "err", redact(err))
		}
		return
	}
	log := c.log.With("interaction", i.ID, "case", id, "chat", i.ChannelID, "user", userID(i))
	card, err := c.h.CaseCardFor(ctx, bot.Request{Platform: Name, Chat: i.ChannelID, User: userID(i),
		Private: i.GuildID == "", UserLang: string(i.Locale)}, id)
	// Refusals are ephemeral, for the clicking user: in their language.
	lang, _, _ := strings.Cut(string(i.Locale), "-")
	var resp *discordgo.InteractionResponse
	switch {
	case err != nil:
		log.Error("pick-list card failed", "err", err)
		resp = renderReply(bot.Reply{Text: i18n.T(lang, "reply.error"), Private: true}).response(discordgo.InteractionResponseChannelMessageWithSource)
	case card == nil:
		resp = renderReply(bot.Reply{Text: i18n.F(lang, "reply.no_match", i18n.Args{"Query": id}), Private: true}).response(discordgo.InteractionResponseChannelMessageWithSource)
	default:
		r := renderReply(bot.Reply{Card: card})
		r.content = ""
		resp = r.response(discordgo.InteractionResponseUpdateMessage)
	}
	if err := s.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		log.Error("pick-list response failed", "err", redact(err))
	}
}

// wrote answers an "I wrote" button: the letter is counted (once a day
// per user and case) and the answer is shown to the presser alone.
// Nothing about the presser is logged.
func (c *Client) wrote(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, caseID string) {
	r := c.h.Wrote(ctx, bot.Request{Platform: Name, Chat: i.ChannelID, User: userID(i),
		Private: i.GuildID == "", UserLang: string(i.Locale)}, caseID)
	r.Private = true
	resp := renderReply(r).response(discordgo.InteractionResponseChannelMessageWithSource)
	if err := s.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		c.log.Error("I-wrote response failed", "interaction", i.ID, "case", caseID, "err", redact(err))
	}
}
