package discord

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/bwmarrin/discordgo"
	"github.com/vigil-bot/vigil/bot"
)

// A post with a picture (bot.Message.Image) carries it as an attachment,
// card.png, shown as its embed's image (attachment://card.png). Each
// channel gets its own upload (Discord has no file id to reuse); the
// handler renders each picture once per fan-out. A picture that cannot
// be rendered, is too large, or that Discord refuses leaves the post a
// text card, logged.

// attachmentURL is how an embed names the attached picture.
const attachmentURL = "attachment://" + bot.ImageName

// picture renders msg's picture for send, or returns nil (logged) when
// it cannot be posted.
func (c *Client) picture(ctx context.Context, chat string, msg bot.Message) []byte {
	if msg.Image == nil || msg.Card == nil {
		return nil
	}
	png, err := msg.Image.Render(ctx) // at most bot.MaxImageBytes: Discord's 10 MiB without a boosted server
	if err != nil {
		c.log.Error("the card picture cannot be posted; sending the text card", "channel", chat, "err", err)
		return nil
	}
	return png
}

// withPicture makes send carry png as its embed's image.
func withPicture(send *discordgo.MessageSend, png []byte) {
	if len(send.Embeds) == 0 {
		return
	}
	send.Embeds = pictureEmbeds(send.Embeds)
	send.Files = []*discordgo.File{{Name: bot.ImageName, ContentType: "image/png", Reader: bytes.NewReader(png)}}
}

// pictureEmbeds returns embeds with the first (the card's, which must be
// there) showing the attached picture instead of its thumbnail; embeds
// itself is left as it is.
func pictureEmbeds(embeds []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	e := *embeds[0]
	e.Image = &discordgo.MessageEmbedImage{URL: attachmentURL}
	e.Thumbnail = nil // the card shows the photo
	return append([]*discordgo.MessageEmbed{&e}, embeds[1:]...)
}

// withoutPicture undoes withPicture.
func withoutPicture(send *discordgo.MessageSend, plain []*discordgo.MessageEmbed) {
	send.Embeds, send.Files = plain, nil
}

// refusedFile reports whether Discord refused a message for its file:
// too large (413, code 40005) or an invalid body (400), so that it goes
// out without.
func refusedFile(err error) bool {
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response == nil {
		return false
	}
	return re.Response.StatusCode == http.StatusRequestEntityTooLarge ||
		(re.Response.StatusCode == http.StatusBadRequest && !unknownReference(err))
}

// rewind makes a send's files readable again for another attempt.
func rewind(send *discordgo.MessageSend, png []byte) {
	for _, f := range send.Files {
		f.Reader = bytes.NewReader(png)
	}
}
