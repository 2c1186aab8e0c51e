package discord

import (
	"github.com/bwmarrin/discordgo"
	"github.com/vigil-bot/vigil/bot"
)

// Discord permission bits (member.permissions, default_member_permissions).
const (
	permAdministrator  int64 = 8
	permManageChannels int64 = 16
)

// adminCommands are the commands for channel admins: Discord hides them
// from members without Manage Channels, and every call is checked again.
var adminCommands = map[string]bool{"subscribe": true, "unsubscribe": true, "settings": true}

// optionSpec describes one option of a slash command.
type optionSpec struct {
	name         string
	required     bool
	autocomplete bool
	maxLength    int
	en, de       string // descriptions
}

// commandOptions gives each command its options, named as PRODUCT.md fixes
// them; a command not listed has none.
var commandOptions = map[string][]optionSpec{
	"case": {{name: "query", required: true, autocomplete: true, maxLength: 100,
		en: "The person's name, in any spelling or script", de: "Name der Person, in beliebiger Schreibweise oder Schrift"}},
	"cases": {{name: "country", autocomplete: true, maxLength: 60,
		en: "A country (ISO code or name); empty: this channel's countries", de: "Ein Land (ISO-Code oder Name); leer: die Länder dieses Kanals"}},
	"subscribe": {{name: "country", required: true, autocomplete: true, maxLength: 60,
		en: "The country (ISO code or name)", de: "Das Land (ISO-Code oder Name)"}},
	"unsubscribe": {{name: "country", required: true, autocomplete: true, maxLength: 60,
		en: "The country (ISO code or name), or all", de: "Das Land (ISO-Code oder Name) oder all"}},
	"settings": {
		{name: "timezone", maxLength: 64, en: "IANA time zone, e.g. Europe/Berlin or UTC", de: "IANA-Zeitzone, z. B. Europe/Berlin oder UTC"},
		{name: "time", maxLength: 5, en: "Time of day for posts, HH:MM", de: "Uhrzeit für Beiträge, HH:MM"},
		{name: "language", maxLength: 2, en: "Language of posts, a two-letter code such as en or de", de: "Sprache der Beiträge, ein Code aus zwei Buchstaben wie en oder de"},
	},
	"alert": {
		{name: "case", required: true, autocomplete: true, maxLength: 100, en: "The case", de: "Der Fall"},
		{name: "message", required: true, maxLength: bot.MaxAlert, en: "The alert's text", de: "Der Text der Eilmeldung"},
	},
}

// commands returns the application commands to register: every chat
// command of bot.Commands with English descriptions and German
// localizations. Names stay the same in German, as PRODUCT.md and the
// German help text name them (/case, /subscribe …).
func commands() []*discordgo.ApplicationCommand {
	en, de := bot.Describe("en"), bot.Describe("de")
	manage := permManageChannels
	var out []*discordgo.ApplicationCommand
	for _, name := range bot.Commands {
		cmd := &discordgo.ApplicationCommand{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     name,
			NameLocalizations:        &map[discordgo.Locale]string{discordgo.German: name},
			Description:              description(en[name], name),
			DescriptionLocalizations: &map[discordgo.Locale]string{discordgo.German: description(de[name], name)},
			Options:                  []*discordgo.ApplicationCommandOption{},
		}
		if adminCommands[name] {
			cmd.DefaultMemberPermissions = &manage
		}
		for _, o := range commandOptions[name] {
			cmd.Options = append(cmd.Options, &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     o.name,
				NameLocalizations:        map[discordgo.Locale]string{discordgo.German: o.name},
				Description:              description(o.en, o.name),
				DescriptionLocalizations: map[discordgo.Locale]string{discordgo.German: description(o.de, o.name)},
				Required:                 o.required,
				Autocomplete:             o.autocomplete,
				MaxLength:                o.maxLength,
			})
		}
		out = append(out, cmd)
	}
	return out
}

// description fits a command or option description into Discord's 1–100
// characters.
func description(s, fallback string) string {
	if s == "" {
		s = fallback
	}
	return fit(s, maxDescCommand, false)
}
