package kpi_test

import (
	"testing"

	"layan/internal/automation"
	"layan/internal/channel/chat"
	"layan/internal/kb"
	"layan/internal/kpi"
)

// The engine counts events other packages write: their names must agree.
func TestEventNamesMatchTheirWriters(t *testing.T) {
	for _, c := range [][2]string{
		{kpi.EventDeflection, kb.EventDeflection},
		{kpi.EventChatAnswered, chat.EventAnswered},
		{kpi.EventChatAbandoned, chat.EventAbandoned},
		{kpi.EventChatEnded, chat.EventEnded},
		{kpi.EventSLAAchieved, automation.EventSLAAchieved},
		{kpi.EventSLABreached, automation.EventSLABreached},
	} {
		if c[0] != c[1] {
			t.Errorf("kpi counts %q, its writer writes %q", c[0], c[1])
		}
	}
}
