package discord

import (
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
)

// Discord permission bits (member.permissions, default_member_permissions).
const (
	permAdministrator  int64 = 8
	permManageChannels int64 = 16
)

// commands returns the application commands to register, from the command
// table: English descriptions by default, and localizations for every
// other language of the catalogue in each Discord locale of that
// language. Names stay the same in every language, as PRODUCT.md and the
// help texts name them (/case, /subscribe …). Admin commands are hidden
// from members without Manage Channels, and every call is checked again.
func commands() []*discordgo.ApplicationCommand {
	manage := permManageChannels
	locs := localeLangs()
	var out []*discordgo.ApplicationCommand
	for _, bc := range bot.Commands() {
		names, descs := map[discordgo.Locale]string{}, map[discordgo.Locale]string{}
		for loc, lang := range locs {
			names[loc] = bc.Name
			descs[loc] = description(bc.Summary(lang), bc.Name)
		}
		cmd := &discordgo.ApplicationCommand{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     bc.Name,
			NameLocalizations:        &names,
			Description:              description(bc.Summary("en"), bc.Name),
			DescriptionLocalizations: &descs,
			Options:                  []*discordgo.ApplicationCommandOption{},
		}
		if bc.Access == bot.Admins {
			cmd.DefaultMemberPermissions = &manage
		}
		for _, o := range bc.Options {
			names, descs := map[discordgo.Locale]string{}, map[discordgo.Locale]string{}
			for loc, lang := range locs {
				names[loc] = o.Name
				descs[loc] = description(bc.OptionDescription(lang, o.Name), o.Name)
			}
			var choices []*discordgo.ApplicationCommandOptionChoice
			for _, c := range o.Choices {
				choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
			}
			cmd.Options = append(cmd.Options, &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     o.Name,
				NameLocalizations:        names,
				Description:              description(bc.OptionDescription("en", o.Name), o.Name),
				DescriptionLocalizations: descs,
				Required:                 o.Required,
				Autocomplete:             o.Autocomplete,
				MaxLength:                o.MaxLength,
				Choices:                  choices,
			})
		}
		out = append(out, cmd)
	}
	return out
}

// localeLangs maps each Discord locale that speaks a language of the
// catalogue to that language: "de" to "de", "es-ES" and "es-419" to "es".
// English is the default and has none; a language Discord does not offer
// has none either.
func localeLangs() map[discordgo.Locale]string {
	out := map[discordgo.Locale]string{}
	for loc := range discordgo.Locales {
		base, _, _ := strings.Cut(string(loc), "-")
		if base != "en" && slices.Contains(i18n.Languages, base) {
			out[loc] = base
		}
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
