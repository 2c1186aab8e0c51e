package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// letterCases are two invented people to write to, in a country no other
// test case is in.
const letterCases = `- {id: nino-pisma, name: Nino Pisma, country: GE, status: imprisoned, status_as_of: 2026-10,
   letters: {address: "Prison 8, Gldani", rules: {en: "No politics."}, sample: {en: "Dear Nino"}}}
- {id: levan-pisma, name: Levan Pisma, country: GE, status: detained, status_as_of: 2026-10,
   letters: {address: "Detention centre, Tbilisi"}}
`

func TestWriteAndIWroteButton(t *testing.T) {
	e := start(t, discordtest.Options{})
	ctx := context.Background()
	if _, err := e.st.Import(ctx, []cases.SourceFile{{Path: "letters.yaml", Data: []byte(letterCases), Hash: "l1"}},
		time.Now(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ch := "820000000000000001"
	const writer2 = "600000000000000077"
	// click presses the message's "I wrote" button as user and returns
	// the answer the user sees.
	click := func(user string, m discordtest.Message) discordtest.Message {
		t.Helper()
		b := m.Buttons()
		if len(b) != 1 || !strings.HasPrefix(b[0].CustomID, "wrote:") || b[0].Label != "✉️ I wrote" {
			t.Fatalf("/write buttons %+v; want one \"✉️ I wrote\" button with custom_id wrote:<case>", b)
		}
		it, err := e.srv.Click(in(ch, user, 0), m.ID, b[0].CustomID)
		if err != nil {
			t.Fatal(err)
		}
		r, err := it.Response(wait)
		if err != nil {
			t.Fatal(err)
		}
		if r.Type != 4 || !r.Message.Ephemeral() {
			t.Errorf("press answered with type %d, ephemeral %v; want a new message only the presser sees", r.Type, r.Message.Ephemeral())
		}
		noPings(t, "I wrote", r.Message)
		return r.Message
	}
	who := func(m discordtest.Message) string {
		switch {
		case strings.Contains(m.Content, "Nino Pisma"):
			return "nino-pisma"
		case strings.Contains(m.Content, "Levan Pisma"):
			return "levan-pisma"
		}
		return ""
	}
	first := e.command(in(ch, memberID, 0), "write", map[string]string{"country": "GE"})
	if !strings.Contains(first.Content, "Address:") || first.Ephemeral() {
		t.Fatalf("/write = %q (ephemeral %v); want a public answer with the address", first.Content, first.Ephemeral())
	}
	if got := click(memberID, first); !strings.Contains(got.Content, "Thank you") {
		t.Errorf("first press = %q; want thanks", got.Content)
	}
	second := e.command(in(ch, writer2, 0), "write", map[string]string{"country": "Georgia"})
	if who(first) == "" || who(second) == "" || who(first) == who(second) {
		t.Fatalf("the two writers were sent to %q and %q; want two different people", who(first), who(second))
	}
	if got := click(memberID, first); !strings.Contains(got.Content, "already counted today") {
		t.Errorf("second press by the same user = %q; want it not counted", got.Content)
	}
	if got := click(writer2, second); !strings.Contains(got.Content, "Thank you") {
		t.Errorf("the second writer's press = %q; want thanks", got.Content)
	}
	card := e.command(in(ch, memberID, 0), "case", map[string]string{"query": who(first)})
	var found bool
	for _, em := range card.Embeds {
		for _, f := range em.Fields {
			found = found || strings.Contains(f.Value, "1 letter in the last 30 days")
		}
	}
	if !found {
		t.Errorf("card %+v; want the field \"1 letter in the last 30 days\"", card.Embeds)
	}
	if strings.Contains(e.logs.String(), "letter counted") {
		for _, line := range strings.Split(e.logs.String(), "\n") {
			if strings.Contains(line, "letter") && (strings.Contains(line, memberID) || strings.Contains(line, writer2)) {
				t.Errorf("a log line ties a writer to a letter: %s", line)
			}
		}
	} else {
		t.Errorf("no letter was logged as counted")
	}
}
